"""The disks service: size-limited learner homes and course exchanges
(store.py), served to the hub over a Unix socket (server.py)."""
