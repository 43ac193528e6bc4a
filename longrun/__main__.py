"""``python -m longrun [job ...] [--device cuda]``: run the long-run jobs and write their references."""
from __future__ import annotations

import argparse
import time

from forge_utils.reference import save_reference
from longrun import lms, pretrain, seeds

JOBS = {**seeds.JOBS, **lms.JOBS, **pretrain.JOBS}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m longrun", description=__doc__)
    parser.add_argument("jobs", nargs="*", help=f"some of {', '.join(JOBS)} (default: all)")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--list", action="store_true", help="list the jobs and exit")
    args = parser.parse_args()
    if args.list:
        for name, (settings, job) in JOBS.items():
            print(f"{name:<20} {job.__module__}  data/reference/{name}.json")
        return
    unknown = set(args.jobs) - set(JOBS)
    if unknown:
        parser.error(f"unknown job(s) {sorted(unknown)}: choose from {', '.join(JOBS)}")
    for name in args.jobs or JOBS:
        settings, job = JOBS[name]
        print(f"{name} ({job.__module__}) on {args.device}", flush=True)
        start = time.perf_counter()
        runs, weights = job(args.device)
        path = save_reference(name, settings, runs, script=f"python -m longrun {name}", device=args.device,
                              started=start, weights=weights)
        print(f"{name}: {len(runs)} runs in {time.perf_counter() - start:.0f} s -> {path}", flush=True)


if __name__ == "__main__":
    main()
