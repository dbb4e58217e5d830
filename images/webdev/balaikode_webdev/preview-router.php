<?php
// Router of the live preview (`php -S 127.0.0.1:PORT -t ~/web preview-router.php`,
// started by jupyter-server-proxy: see preview.py). PHP's built-in server
// serves the learner's files itself (static files with their type, *.php run
// as PHP); this script only answers what a beginner would otherwise find
// confusing: a missing file, a folder without index.html, a folder link
// without its final "/". Security headers are added by preview.py, not here,
// so that a learner's PHP cannot remove them.

// The logged-in entry (jupyter-server-proxy, see preview.py) only needs PHP to
// be running: answer at once, without running any learner code.
if (isset($_SERVER['HTTP_X_BALAIKODE_ENTRY'])) {
    http_response_code(204);
    return true;
}

$__bk_root = realpath($_SERVER['DOCUMENT_ROOT']);
$__bk_path = rawurldecode(parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH) ?? '/');
$__bk_target = realpath($__bk_root . $__bk_path);

// A link back to the folder's first page, relative so it works behind any prefix.
function __bk_home_link(string $path): string {
    $depth = substr_count(ltrim($path, '/'), '/');
    return $depth > 0 ? str_repeat('../', $depth) : './';
}

function __bk_page(int $status, string $title, string $body): bool {
    http_response_code($status);
    header('Content-Type: text/html; charset=utf-8');
    $title = htmlspecialchars($title);
    echo "<!DOCTYPE html>\n<html lang=\"id\">\n<head><meta charset=\"utf-8\">"
        . "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        . "<title>$title · Pratinjau Web</title></head>\n"
        . "<body style=\"font-family: sans-serif; max-width: 40em; margin: 2em auto; line-height: 1.5\">"
        . "<main><h1>$title</h1>$body</main></body>\n</html>\n";
    return true;
}

$__bk_inside = $__bk_target !== false
    && ($__bk_target === $__bk_root || strpos($__bk_target, $__bk_root . DIRECTORY_SEPARATOR) === 0);

if (!$__bk_inside) {
    $shown = htmlspecialchars(ltrim($__bk_path, '/'));
    return __bk_page(404, 'Berkas tidak ditemukan',
        "<p>Berkas <code>$shown</code> tidak ada di folder <code>web</code> kamu.</p>"
        . '<p>Periksa nama berkasnya: huruf besar dan kecil berbeda, dan spasi ikut dihitung.</p>'
        . '<p><a href="' . __bk_home_link($__bk_path) . '">Kembali ke halaman utama</a></p>');
}

if (is_dir($__bk_target)) {
    if (substr($__bk_path, -1) !== '/') {
        // "folder" -> "folder/", so that the page's relative links work.
        $query = parse_url($_SERVER['REQUEST_URI'], PHP_URL_QUERY);
        header('Location: ' . rawurlencode(basename($__bk_path)) . '/' . ($query ? "?$query" : ''), true, 301);
        return true;
    }
    if (!is_file("$__bk_target/index.html") && !is_file("$__bk_target/index.php")) {
        $files = array_values(array_filter(scandir($__bk_target), fn ($f) => $f[0] !== '.'));
        $list = '';
        foreach ($files as $f) {
            $slash = is_dir("$__bk_target/$f") ? '/' : '';
            $list .= '<li><a href="' . rawurlencode($f) . $slash . '">' . htmlspecialchars($f . $slash) . '</a></li>';
        }
        $where = $__bk_path === '/' ? 'web' : 'web' . rtrim($__bk_path, '/');
        return __bk_page(200, 'Belum ada halaman utama',
            '<p>Folder <code>' . htmlspecialchars($where) . '</code> belum punya berkas '
            . '<code>index.html</code> (atau <code>index.php</code>). Buat berkas itu di JupyterLab, '
            . 'simpan, lalu muat ulang halaman ini.</p>'
            . ($list ? "<h2>Berkas yang sudah ada</h2><ul>$list</ul>" : '<p>Folder ini masih kosong.</p>'));
    }
}

return false;  // PHP's built-in server serves the file (or runs it, for *.php)
