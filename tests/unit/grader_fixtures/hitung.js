// Latihan: fungsi-fungsi hitungan sederhana
function tambah(a, b) {
  return a + b;
}

const totalBelanja = (harga) => harga.reduce((jumlah, h) => jumlah + h, 0);
