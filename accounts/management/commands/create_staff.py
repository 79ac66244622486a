"""manage.py create_staff EMAIL --role ROLE: a staff account with one least-privilege role."""

from __future__ import annotations

import getpass
import sys
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.roles import Role
from accounts.services import StaffError, staff_create


class Command(BaseCommand):
    help = "Create a staff user with one role, or move an existing one to that role."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="Read the password from standard input (otherwise asked, or left unset).",
        )
        parser.add_argument(
            "--no-password", action="store_true", help="Leave the account without a password."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        password = None
        if options["password_stdin"]:
            password = sys.stdin.readline().rstrip("\n")
        elif not options["no_password"] and sys.stdin.isatty():
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The passwords do not match.")
        try:
            user, created = staff_create(
                email=options["email"], role=options["role"], password=password
            )
        except StaffError as exc:
            raise CommandError(str(exc)) from exc
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        verb = "Created" if created else "Updated"
        self.stdout.write(f"{verb} {user.email} as {Role(options['role']).label}.")
