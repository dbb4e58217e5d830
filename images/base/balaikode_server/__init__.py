"""Small jupyter-server additions for Balai Kode learner and trainer servers."""
