"""The `postsale` console command. Our own commands, and every Django management command:
`postsale up`, `postsale import-orders FILE.csv`, `postsale migrate`, …"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv)
    argv[0] = "postsale"
    if len(argv) > 1:
        argv[1] = argv[1].replace("-", "_")  # import-orders → import_orders
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
