<?php
function salam(string $nama): string
{
    return "Selamat datang, " . htmlspecialchars($nama) . "!";
}
