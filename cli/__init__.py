"""The `bankdash` command line: migrations, admins, imports, demo data. May import any package."""
