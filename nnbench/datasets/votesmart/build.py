"""``nnbench data build candidates``: list a scope, fetch what the folder lacks, write as it goes.

Cumulative and resumable: a rerun, of the same scope or another, keeps every row the folder holds
and fetches the listed candidates not yet kept (a labels.csv row whose image exists and matches
its SHA-256) or dropped, the failures of earlier runs and the kept candidates whose image is
missing or changed; with ``retry_missing``, also the photos that answered 403, 404 or 410.
labels.csv, dropped.csv, failures.csv and manifest.json are rewritten before the first fetch,
every :data:`CHECKPOINT_EVERY` candidates and when the run stops for any reason. manifest.json
says ``"complete": false`` until a run has tried every candidate (the loader refuses such a
folder), lists every scope and API built into the folder, counts the whole folder and sums up the
last build. A complete run deletes images that have no row.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nnbench import progress
from nnbench.datasets.candidates_format import IMAGES_DIR
from nnbench.datasets.fetch import CHOOSE_DATA_DIR
from nnbench.datasets.votesmart.api import VoteSmartApi
from nnbench.datasets.votesmart.credentials import Credentials, choose_api, open_api
from nnbench.datasets.votesmart.folder_state import FAILURES_FILE, SUMMARY_KEYS, BuildFolder
from nnbench.datasets.votesmart.listing import SCOPE_HINT, BuildScope, list_candidates, scope_record
from nnbench.datasets.votesmart.outcomes import process_candidate
from nnbench.datasets.votesmart.transport import Transport
from nnbench.errors import ConfigError, DataError

CHECKPOINT_EVERY = 25


def build_candidates(
    folder: Path,
    credentials: Credentials,
    scope: BuildScope,
    *,
    api: str | None = None,
    api_url: str | None = None,
    rate_limit: float = 2.0,
    timeout: float = 30.0,
    retries: int = 3,
    backoff_s: float = 1.0,
    retry_missing: bool = False,
    dry_run: bool = False,
) -> dict[str, Any]:
    """Build or resume the candidates folder for ``scope`` with the API ``api`` (chosen by the
    credentials when None); return the manifest written, or with ``dry_run`` the plan."""
    if not scope.years and not scope.offices:
        raise ConfigError("Say which candidates to list: give --year, --office or both.")
    if rate_limit <= 0 or timeout <= 0 or retries < 0 or backoff_s < 0:
        raise ConfigError("rate_limit and timeout must be positive, retries and backoff_s >= 0.")
    name = choose_api(credentials, api)
    transport = Transport(
        rate_limit=rate_limit,
        timeout=timeout,
        retries=retries,
        backoff_s=backoff_s,
        secrets=credentials.secrets(),
    )
    client = open_api(name, credentials, api_url, transport)
    state = BuildFolder(folder)
    progress.info(f"listing candidates from the {client.name} API at {client.url} ...")
    listed = list_candidates(client, scope)
    if not listed:
        raise ConfigError(
            f"The scope {scope_record(scope)} matched no candidates at {client.url}. "
            f"{SCOPE_HINT}; nothing was written."
        )
    todo = state.todo(listed, retry_missing)
    if dry_run:
        return build_plan(state, client, listed, todo, rate_limit)
    try:
        (folder / IMAGES_DIR).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DataError(
            f"Cannot create the data folder {folder}: {exc.strerror or exc}. {CHOOSE_DATA_DIR}"
        ) from exc
    progress.info(
        f"listed {len(listed)} candidates; the folder holds {len(state.kept)} kept and "
        f"{len(state.dropped)} dropped; {len(todo)} to fetch"
    )
    state.add_scope(scope, client)
    return fetch_candidates(state, client, todo, retry_missing)


def fetch_candidates(
    state: BuildFolder, client: VoteSmartApi, todo: list[str], retry_missing: bool
) -> dict[str, Any]:
    """Fetch each of ``todo`` into ``state``, checkpointing; return the manifest written last."""
    state.save(False, client, retry_missing)
    complete = False
    try:
        for done, candidate_id in enumerate(todo, start=1):
            state.record(candidate_id, process_candidate(client, candidate_id))
            if done % CHECKPOINT_EVERY == 0:
                state.save(False, client, retry_missing)
                progress.info(f"  {done}/{len(todo)} fetched: {summary_text(state.summary())}")
        complete = True
        state.remove_orphans()
    finally:
        manifest = state.save(complete, client, retry_missing)
        report(state, manifest)
    return manifest


def summary_text(counts: dict[str, int]) -> str:
    """``summary`` as words: "7 kept, 2 uncoded gender, ..."."""
    return ", ".join(f"{counts[key]} {key.replace('_', ' ')}" for key in SUMMARY_KEYS)


def report(state: BuildFolder, manifest: dict[str, Any]) -> None:
    """The build's last progress lines: this run's summary, the folder's counts, what is next."""
    counts, last = manifest["counts"], manifest["last_build"]["summary"]
    splits = counts["kept_by_split"]
    progress.info(f"this build tried {last['tried']} candidates: {summary_text(last)}")
    lines = [
        f"the folder {state.folder} holds {counts['kept']} kept ({splits['train']} train, "
        f"{splits['test']} test), {len(state.dropped)} dropped and {counts['failed']} failed"
    ]
    if counts["failed"]:
        lines.append(
            f"the {counts['failed']} failed are listed in {FAILURES_FILE}, and running the build "
            "again retries them"
        )
    missing = counts["photo_missing_by_status"]
    if missing:
        statuses = ", ".join(f"{n} {status}" for status, n in missing.items())
        lines.append(
            f"photos missing: {sum(missing.values())} ({statuses}); later builds do not ask "
            "for them again unless given --retry-missing"
        )
    progress.info("; ".join(lines))


def build_plan(
    state: BuildFolder, client: VoteSmartApi, listed: list[str], todo: list[str], rate_limit: float
) -> dict[str, Any]:
    """What a build would fetch, for ``--dry-run``: nothing is fetched beyond the listing and
    nothing is written. Each candidate to fetch costs a bio request and at most one photo;
    ``hours_estimate`` is what those take at the rate limit, without retries or their waits."""
    todo_set = set(todo)
    plan = {
        "dry_run": True,
        "api": client.name,
        "api_url": client.url,
        "listed": len(listed),
        "already_kept": sum(cid in state.kept and cid not in todo_set for cid in listed),
        "already_dropped": sum(cid in state.dropped and cid not in todo_set for cid in listed),
        "to_fetch": {
            "candidates": len(todo),
            "new": sum(
                cid not in state.kept and cid not in state.dropped and cid not in state.failed
                for cid in todo
            ),
            "earlier_failures": sum(cid in state.failed for cid in todo),
            "damaged_images": sum(cid in state.damaged for cid in todo),
            "missing_photos": sum(cid in todo_set for cid in state.missing_photos()),
            "photos_at_most": len(todo),
        },
        "hours_estimate": round(2 * len(todo) / rate_limit / 3600, 2),
    }
    progress.info(
        f"dry run: {len(listed)} listed; would fetch {len(todo)} bios and at most {len(todo)} "
        f"photos, about {plan['hours_estimate']} h at {rate_limit:g} requests/s without retries; "
        "nothing written"
    )
    return plan
