"""What ops/voltool.py does, one module per job. Runs inside throwaway
containers of the hub image (python3 and sqlite3, no Docker socket), so it
uses the standard library only.

    keys            which volumes are Balai Kode's, and their kinds
    archive_format  the backup archive: layout, header, rules for members
    walk            walking a volume without following links
    sqlite_copy     consistent copies of SQLite databases in use
    sizes           disk use and human-readable sizes
    backup          writing an archive
    archive_check   reading a whole archive and checking it (inspect)
    existing_data   which mounted volumes already hold data (check)
    restore         writing an archive into the volumes
    verify          comparing the volumes with a manifest
    status          the admin's status table
    messages        warnings and refusals, as the admin reads them
"""
