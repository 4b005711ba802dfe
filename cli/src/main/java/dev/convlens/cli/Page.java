package dev.convlens.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A self-contained HTML page (no CDN, no network: it opens straight from the file): the report's and the
 * microscope's shared style, a click that enlarges a picture, and a count of the pictures that loaded, which the
 * browser test reads from {@code body[data-loaded]}.
 */
final class Page {
    private static final String STYLE = """
            body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;background:#fafafa}
            h1{font-size:22px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #ccc}
            table{border-collapse:collapse}td,th{padding:2px 10px;text-align:left;border-bottom:1px solid #eee}
            td.n{text-align:right;font-variant-numeric:tabular-nums}
            figure{display:inline-block;margin:6px;vertical-align:top}figcaption{font-size:12px;color:#555}
            img.zoom{cursor:zoom-in;max-width:420px;image-rendering:pixelated;border:1px solid #ddd;background:#000}
            img.crop{width:72px;height:72px;object-fit:contain;image-rendering:pixelated;background:#000}
            img.pattern{margin-right:12px;outline:2px solid #888}
            .channel{display:flex;align-items:center;gap:6px;margin:4px 0}.channel b{width:110px}
            .dead{color:#a00}.failed{color:#a00;display:inline-block;margin:6px;padding:8px;max-width:420px;
            border:1px solid #d99;background:#fff4f4}
            #big{display:none;position:fixed;inset:0;background:rgba(0,0,0,.85);cursor:zoom-out;z-index:9}
            #big img{max-width:96vw;max-height:96vh;position:absolute;inset:0;margin:auto;image-rendering:pixelated}
            """;
    private static final String SCRIPT = """
            document.addEventListener('click', function (e) {
              var big = document.getElementById('big');
              if (e.target.classList && e.target.classList.contains('zoom')) {
                big.firstChild.src = e.target.src; big.style.display = 'block';
              } else if (big.contains(e.target)) { big.style.display = 'none'; }
            });
            window.addEventListener('load', function () {
              var all = document.querySelectorAll('img[src]'), ok = 0;
              all.forEach(function (i) { if (i.complete && i.naturalWidth > 0) ok++; });
              document.body.dataset.loaded = ok + '/' + all.length;
            });
            """;

    private Page() {
    }

    /** Writes {@code folder/index.html} with a title and a body. */
    static Path write(Path folder, String title, CharSequence body) {
        String html = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + escape(title)
                + "</title>\n<style>" + STYLE + "</style></head>\n<body>\n<h1>" + escape(title) + "</h1>\n" + body
                + "\n<div id=\"big\"><img alt=\"enlarged\"></div>\n<script>" + SCRIPT + "</script>\n</body></html>\n";
        Path file = folder.resolve("index.html");
        try {
            Files.writeString(file, html, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        return file;
    }

    /** Text made safe for HTML, in elements and in quoted attributes. */
    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    /** A path relative to the page, with forward slashes and each segment URL-encoded. */
    static String href(Path folder, Path file) {
        StringBuilder out = new StringBuilder();
        for (Path part : folder.relativize(file)) {
            out.append(out.length() > 0 ? "/" : "").append(java.net.URLEncoder.encode(part.toString(),
                    StandardCharsets.UTF_8).replace("+", "%20"));
        }
        return out.toString();
    }

    /** In place of a part of the page that could not be made: what it was, and why. */
    static String failure(String what, String reason) {
        return "<div class=\"failed\"><b>" + escape(what) + " failed:</b> " + escape(reason) + "</div>";
    }

    /** A figure of a picture that enlarges on click, with a caption. */
    static String figure(Path folder, Path picture, String caption) {
        return "<figure><img class=\"zoom\" src=\"" + href(folder, picture) + "\" alt=\"" + escape(caption)
                + "\"><figcaption>" + escape(caption) + "</figcaption></figure>";
    }
}
