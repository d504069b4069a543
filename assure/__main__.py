"""`python -m assure` is the same program as the `assure` command."""

from assure.cli import main

if __name__ == "__main__":
    main()
