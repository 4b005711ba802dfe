// Runs a ConvLens explainer on a photo with ONNX Runtime Web and draws its outputs. The explainers to offer are
// listed in explainers.json beside this page ([{"label": ..., "file": ..., "labels": [...]}, ...]); without it, the
// page loads explainer.onnx. ?backend=wasm|webgpu|webgl picks ONNX Runtime Web's backend (wasm by default).
'use strict';

const params = new URLSearchParams(location.search);
const backend = params.get('backend') || 'wasm';
ort.env.wasm.wasmPaths = new URL('node_modules/onnxruntime-web/dist/', location.href).href;
ort.env.wasm.numThreads = 1; // threads need a cross-origin isolated page, which a plain static server is not

const $ = (id) => document.getElementById(id);
let explainers = [];
let session = null;
let current = null;
let photo = null;

function status(text, state) {
  $('status').textContent = text;
  $('status').dataset.state = state;
}

async function listExplainers() {
  const response = await fetch('explainers.json');
  if (response.ok) {
    return response.json();
  }
  return [{ label: 'explainer.onnx', file: 'explainer.onnx' }];
}

async function load(index) {
  current = explainers[index];
  session = null;
  status('Loading ' + current.label + '…', 'loading');
  session = await ort.InferenceSession.create(current.file, { executionProviders: [backend] });
  status('Ready: ' + current.label + ' on ' + backend + '. Choose a photo.', 'ready');
  if (photo) {
    await explain();
  }
}

// The photo's RGB bytes, row by row: the pixels as decoded, without color management, over white where transparent.
async function rgbOf(file) {
  const bitmap = await createImageBitmap(file, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const context = canvas.getContext('2d', { colorSpace: 'srgb' });
  context.fillStyle = '#fff';
  context.fillRect(0, 0, bitmap.width, bitmap.height);
  context.drawImage(bitmap, 0, 0);
  const rgba = context.getImageData(0, 0, bitmap.width, bitmap.height).data;
  const rgb = new Uint8Array(bitmap.width * bitmap.height * 3);
  for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) {
    rgb[j] = rgba[i];
    rgb[j + 1] = rgba[i + 1];
    rgb[j + 2] = rgba[i + 2];
  }
  return { rgb, width: bitmap.width, height: bitmap.height };
}

function drawRgb(canvas, rgb, width, height) {
  canvas.width = width;
  canvas.height = height;
  const image = new ImageData(width, height);
  for (let i = 0, j = 0; j < rgb.length; i += 4, j += 3) {
    image.data[i] = rgb[j];
    image.data[i + 1] = rgb[j + 1];
    image.data[i + 2] = rgb[j + 2];
    image.data[i + 3] = 255;
  }
  canvas.getContext('2d').putImageData(image, 0, 0);
}

// The map scaled by its maximum, in jet's piecewise-linear approximation.
function drawHeatmap(canvas, values, width, height) {
  let max = 0;
  for (const v of values) {
    max = Math.max(max, v);
  }
  const rgb = new Uint8Array(width * height * 3);
  const clip = (v) => Math.round(255 * Math.min(1, Math.max(0, v)));
  values.forEach((v, i) => {
    const x = max > 0 ? Math.max(0, v) / max : 0;
    rgb[3 * i] = clip(1.5 - Math.abs(4 * x - 3));
    rgb[3 * i + 1] = clip(1.5 - Math.abs(4 * x - 2));
    rgb[3 * i + 2] = clip(1.5 - Math.abs(4 * x - 1));
  });
  drawRgb(canvas, rgb, width, height);
}

function base64(bytes) {
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    text += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  }
  return btoa(text);
}

async function explain() {
  if (!session) {
    return;
  }
  status('Explaining…', 'running');
  const started = performance.now();
  const feeds = {};
  feeds[session.inputNames[0]] = new ort.Tensor('uint8', photo.rgb, [photo.height, photo.width, 3]);
  feeds[session.inputNames[1]] = new ort.Tensor('int64', BigInt64Array.of(-1n), []);
  const out = await session.run(feeds);
  const milliseconds = performance.now() - started;
  const name = (n) => (out['convlens_' + n] ? 'convlens_' + n : n); // prefixed where the model has such a name
  const overlay = out[name('overlay')];
  const heatmap = out[name('heatmap')];
  const cls = Number(out[name('class')].data[0]);
  const score = out[name('score')].data[0];
  const label = current.labels && current.labels[cls] !== undefined ? current.labels[cls] : 'class ' + cls;
  $('prediction').textContent = label + ', score ' + score.toFixed(3);
  drawRgb($('overlay'), overlay.data, overlay.dims[1], overlay.dims[0]);
  drawHeatmap($('heatmap'), heatmap.data, heatmap.dims[1], heatmap.dims[0]);
  $('heatmap-caption').textContent = 'The heatmap at the layer\'s resolution, ' + heatmap.dims[1] + 'x'
      + heatmap.dims[0] + ' (heatmap)';
  window.convlensResult = { explainer: current.file, backend, width: overlay.dims[1], height: overlay.dims[0],
    overlay: base64(overlay.data), targetClass: cls, score, heatmap: Array.from(heatmap.data), milliseconds };
  status('Done in ' + Math.round(milliseconds) + ' ms: ' + current.label + ' on ' + backend + '.', 'done');
}

async function take(file) {
  try {
    photo = await rgbOf(file);
    await explain();
  } catch (e) {
    status('Failed: ' + e.message, 'error');
  }
}

$('file').addEventListener('change', () => $('file').files[0] && take($('file').files[0]));
$('drop').addEventListener('dragover', (e) => { e.preventDefault(); $('drop').classList.add('over'); });
$('drop').addEventListener('dragleave', () => $('drop').classList.remove('over'));
$('drop').addEventListener('drop', (e) => {
  e.preventDefault();
  $('drop').classList.remove('over');
  if (e.dataTransfer.files[0]) {
    take(e.dataTransfer.files[0]);
  }
});
$('explainer').addEventListener('change', () => load($('explainer').selectedIndex)
    .catch((e) => status('Failed: ' + e.message, 'error')));

(async () => {
  try {
    explainers = await listExplainers();
    for (const e of explainers) {
      $('explainer').add(new Option(e.label, e.file));
    }
    $('explainer').disabled = explainers.length < 2;
    await load(0);
  } catch (e) {
    status('Failed: ' + e.message, 'error');
  }
})();
