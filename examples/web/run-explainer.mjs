// Runs a ConvLens explainer in Node with onnxruntime-node, as a server or a desktop app would, on the raw RGB bytes
// of a picture; prints every output as JSON: its dims, type and raw little-endian bytes in base64. ExplainerNodeTest
// (sdk/src/test) compares them with what the Java SDK computes.
//
//   node run-explainer.mjs explainer.onnx picture.rgb WIDTH HEIGHT [TARGET] [--bench N]
//   node run-explainer.mjs model.onnx --bare 1,180,180,3 --bench N      (the bare model on a random float tensor)
import { readFileSync } from 'node:fs';
import ort from 'onnxruntime-node';

const [model, pictureFile, width, height, target = '-1', flag, count] = process.argv.slice(2).length > 4
  && process.argv[3] === '--bare' ? [process.argv[2], null, null, null, null, ...process.argv.slice(5)]
  : process.argv.slice(2);
const session = await ort.InferenceSession.create(model);
let feeds;
if (pictureFile === null) {
  const dims = process.argv[4].split(',').map(Number);
  const values = Float32Array.from({ length: dims.reduce((a, b) => a * b) }, (_, i) => (i * 7919 % 255) / 255);
  feeds = { [session.inputNames[0]]: new ort.Tensor('float32', values, dims) };
} else {
  const picture = new ort.Tensor('uint8', new Uint8Array(readFileSync(pictureFile)),
    [Number(height), Number(width), 3]);
  feeds = { [session.inputNames[0]]: picture,
    [session.inputNames[1]]: new ort.Tensor('int64', BigInt64Array.from([BigInt(target)]), []) };
}
if (flag === '--bench') { // milliseconds of each of N runs after one warm-up run
  await session.run(feeds);
  const times = [];
  for (let i = 0; i < Number(count); i++) {
    const start = process.hrtime.bigint();
    await session.run(feeds);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  console.log(JSON.stringify({ times }));
} else {
  const results = await session.run(feeds);
  const out = {};
  for (const [name, tensor] of Object.entries(results)) {
    const data = tensor.data;
    out[name] = { dims: tensor.dims, type: tensor.type,
      data: Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64') };
  }
  console.log(JSON.stringify(out));
}
