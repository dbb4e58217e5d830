<?php
// Prepended (auto_prepend_file) to a learner's script by graders/php.py so that
// php-cli runs it as if a browser had sent a GET or POST request.
// The request arrives as JSON in an environment variable, which is then removed
// so that the learner's script sees only what a web server would give it.
(function () {
    $request = json_decode((string) getenv('BALAIKODE_PHP_REQUEST'), true);
    putenv('BALAIKODE_PHP_REQUEST');
    unset($_SERVER['BALAIKODE_PHP_REQUEST'], $_ENV['BALAIKODE_PHP_REQUEST']);
    if (!is_array($request)) {
        return;
    }
    $_GET = $request['get'];
    $_POST = $request['post'];
    $_COOKIE = [];
    $_FILES = [];
    $_REQUEST = array_merge($_GET, $_POST);
    $query = http_build_query($_GET);
    $script = '/' . $request['script'];
    $_SERVER['REQUEST_METHOD'] = $request['method'];
    $_SERVER['QUERY_STRING'] = $query;
    $_SERVER['REQUEST_URI'] = $script . ($query === '' ? '' : '?' . $query);
    $_SERVER['SCRIPT_NAME'] = $script;
    $_SERVER['PHP_SELF'] = $script;
    $_SERVER['HTTP_HOST'] = 'localhost';
    $_SERVER['SERVER_NAME'] = 'localhost';
    $_SERVER['SERVER_PROTOCOL'] = 'HTTP/1.1';
    if ($request['method'] === 'POST') {
        $_SERVER['CONTENT_TYPE'] = 'application/x-www-form-urlencoded';
    }
})();
