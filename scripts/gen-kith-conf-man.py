#!/usr/bin/python3
"""Writes docs/kith.conf.5 from the settings table, as `kith help` prints it.

Run after adding or changing a setting:  scripts/gen-kith-conf-man.py
A black-box test fails when the committed page and the binary disagree.
Usage: gen-kith-conf-man.py [KITH_BINARY] [OUTPUT|-]
"""
import re
import subprocess
import sys

binary = sys.argv[1] if len(sys.argv) > 1 else "build/kith"
output = sys.argv[2] if len(sys.argv) > 2 else "docs/kith.conf.5"


def esc(s):
    return s.replace("\\", "\\\\").replace("-", "\\-")


def page(help_text):
    sect = help_text.split("Settings", 1)[1]
    rows = re.findall(r"^  (\w+), (KITH_\w+), (--[\w-]+); default (.*)\n      (.*)$", sect, re.M)
    out = [
        '.TH KITH.CONF 5 "November 2026" "kith" "kith manual"',
        ".SH NAME", "kith.conf \\- settings for kith",
        ".SH DESCRIPTION",
        "kith reads its settings from a file in INI form (one",
        ".B key = value",
        "per line, comments starting with",
        ".B #",
        "or",
        ".BR ; ,",
        "no sections), from environment variables and from command-line flags.",
        "Each key has one spelling in each: the key",
        ".B rate_limit",
        "is the variable",
        ".B KITH_RATE_LIMIT",
        "and the flag",
        ".BR \\-\\-rate\\-limit .",
        "Later sources win: the built-in default, then the file, then the environment, then flags.",
        ".PP",
        "The file is",
        ".I ./kith.conf",
        "when it exists, or the file named by",
        ".B \\-\\-config",
        "or",
        ".BR KITH_CONFIG .",
        "An unknown key, a section header or a bad value stops kith at start with a message",
        "naming the key and the line.",
        "Booleans are true or false (also yes or no, on or off, 1 or 0).",
        ".SH SETTINGS",
    ]
    for key, env, flag, default, text in rows:
        out += [".TP", ".B " + key, esc(text[0].upper() + text[1:]) + "."]
        out += ["Default:", ('.BR "%s" .' % esc(default)) if default != "(empty)" else "empty."]
        out += ["Environment", ".BR %s ," % env, "flag", ".BR %s ." % esc(flag)]
    out += [
        ".SH EXAMPLE", ".nf",
        "# /etc/kith/kith.conf",
        "db = postgresql://kith@127.0.0.1/kith",
        "listen = 127.0.0.1:8080",
        "base_url = https://support.example.org",
        "behind_tls = true",
        "trust_proxy = true",
        "site_name = Kith Town",
        "organisation_name = Kith Town Council for Voluntary Service",
        "contact_email = help@example.org",
        ".fi",
        ".SH SEE ALSO", ".BR kith (1)",
    ]
    return "\n".join(out) + "\n"


text = page(subprocess.run([binary, "help"], capture_output=True, text=True, check=True).stdout)
if output == "-":
    sys.stdout.write(text)
else:
    with open(output, "w") as f:
        f.write(text)
