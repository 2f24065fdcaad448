"""Counts the answers each schemathesis run got, by status class, and fails on a hollow run.

    python3 scripts/schemathesis_statuses.py MAX_401_PERCENT LABEL=CASSETTE...

Each argument after the first names a run and its VCR cassette (`--report vcr`). A run whose
requests were mostly refused at the door proves nothing about what its role may do: its token
was revoked, or its user disabled, half-way through. So a run fails this check if more than
MAX_401_PERCENT of its test cases under /api/v1 were answered 401, or if none was answered
2xx. Only test cases count: the cassette also holds the requests checks send on their own
(`ignored_auth` repeats a request without the token and with a broken one, and must get
401), which schemathesis marks SKIP; they are counted apart. Public paths (/api/health, the
document itself) answer 2xx to anyone, so they say nothing about the token.

The cassette is read line by line rather than as YAML: it is tens of megabytes per run, and
the few lines needed sit at fixed places in schemathesis's writer (`reporting/vcr.py`).
"""

import sys
from collections import Counter
from urllib.parse import urlsplit

CLASSES = ("2xx", "3xx", "401", "4xx", "5xx")


def statuses(path):
    """(a test case rather than a check's own request, status code) for each interaction
    under /api/v1 in a cassette."""
    answers = []
    section, case, api = None, False, False
    with open(path, encoding="utf-8") as cassette:
        for line in cassette:
            if line.startswith("- id: "):
                section, case, api = None, False, False
            elif line.startswith("  status: '"):
                case = line.split("'")[1] != "SKIP"
            elif line.startswith("  request:"):
                section = "request"
            elif line.startswith("  response:"):
                section = "response"
            elif section == "request" and line.startswith("    uri: '"):
                api = urlsplit(line.split("'")[1]).path.startswith("/api/v1/")
            elif section == "response" and line.startswith("      code: '") and api:
                answers.append((case, int(line.split("'")[1])))
                section = None
    return answers


def status_class(code):
    # 401 stands apart from the other 4xx (the "4xx" column): it is the sign of a dead token.
    return "401" if code == 401 else f"{code // 100}xx"


def main(argv):
    limit = float(argv[1])
    failed = []
    print(f"{'run':<24}{'cases':>9}" + "".join(f"{c:>7}" for c in CLASSES) + f"{'checks':>8}")
    for arg in argv[2:]:
        label, path = arg.split("=", 1)
        answers = statuses(path)
        counts = Counter(status_class(code) for case, code in answers if case)
        sent = sum(counts.values())
        probes = sum(1 for case, _ in answers if not case)
        print(f"{label:<24}{sent:>9}" + "".join(f"{counts[c]:>7}" for c in CLASSES) + f"{probes:>8}")
        if counts["2xx"] == 0:
            failed.append(f"{label}: no test case was answered 2xx")
        elif counts["401"] * 100 > limit * sent:
            share = counts["401"] * 100 / sent
            failed.append(f"{label}: {share:.1f}% of the test cases were answered 401 "
                          f"(at most {limit:g}% allowed): the token died during the run")
    for reason in failed:
        print(f"hollow run: {reason}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
