<?php
require __DIR__ . '/salam_fungsi.php';

if ($_SERVER['REQUEST_METHOD'] === 'POST') {
    echo salam($_POST['nama'] ?? 'tamu');
} else {
    echo '<form method="POST"><input name="nama"></form>';
}
