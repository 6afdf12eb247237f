"""One candidate's fate in a build: its bio and photo fetched, then kept, dropped or failed.

* Dropped, and not asked about again: a gender that is not Female/Male/F/M (any case), an empty
  photo URL, a photo URL that answers HTTP 403, 404 or 410 (a permanent miss, recorded with its
  status; ``--retry-missing`` asks again), a grey photo. Grey means a grey Pillow mode or an image
  whose RGB conversion has a mean per-pixel channel spread (max - min) below
  :data:`GREY_SPREAD_THRESHOLD`, which lets JPEG chroma noise through.
* Failed, and retried by the next run: a request that still fails after the transport's retries,
  or one it does not retry (another HTTP 4xx, a photo larger than the cap, a redirect off http),
  an API error for the bio, photo bytes Pillow cannot decode.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps

from nnbench.datasets.candidates_format import IMAGE_HEIGHT, IMAGE_WIDTH, coded_gender
from nnbench.datasets.images import GREY_MODES
from nnbench.datasets.votesmart.api import VoteSmartApi
from nnbench.datasets.votesmart.transport import FetchError

#: mean over pixels of (max channel - min channel), 0-255 scale, below which a photo counts as grey
GREY_SPREAD_THRESHOLD = 2.0
DROP_UNCODED_GENDER = "uncoded_gender"
DROP_NO_PHOTO = "no_photo"
DROP_PHOTO_MISSING = "photo_missing"
DROP_GREYSCALE = "greyscale"
#: photo statuses that mean the photo is not there, and will not be on the next run either
PHOTO_GONE_STATUSES = (403, 404, 410)


@dataclass(frozen=True)
class Kept:
    """A usable candidate: its label and the PNG to write."""

    gender: str
    photo_url: str
    png: bytes


@dataclass(frozen=True)
class Dropped:
    """A candidate left out on purpose; ``detail`` and ``url`` say more for a missing photo."""

    reason: str
    detail: str = ""
    url: str = ""


@dataclass(frozen=True)
class Failed:
    """A candidate that could not be fetched or decoded this time."""

    stage: str  # "bio", "photo" or "image"
    reason: str
    url: str


Outcome = Kept | Dropped | Failed


def is_greyscale(image: Image.Image, rgb: Image.Image) -> bool:
    """Grey mode, or channels nearly equal after conversion to RGB (``rgb``)."""
    if image.mode in GREY_MODES:
        return True
    pixels = np.asarray(rgb, dtype=np.int16)
    spread = pixels.max(axis=2) - pixels.min(axis=2)
    return float(spread.mean()) < GREY_SPREAD_THRESHOLD


def to_png(rgb: Image.Image) -> bytes:
    """Centre-crop to 110:135, resize to 110 x 135 (Lanczos), encode as PNG."""
    fitted = ImageOps.fit(rgb, (IMAGE_WIDTH, IMAGE_HEIGHT), method=Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    fitted.save(buffer, format="PNG")
    return buffer.getvalue()


def process_candidate(api: VoteSmartApi, candidate_id: str) -> Outcome:
    """Fetch one candidate's bio and photo and decide: kept, dropped or failed."""
    try:
        bio = api.bio(candidate_id)
    except FetchError as exc:
        return Failed("bio", exc.reason, exc.url)
    gender = coded_gender(bio.gender)
    if gender is None:
        return Dropped(DROP_UNCODED_GENDER)
    if not isinstance(bio.photo, str) or not bio.photo.strip():
        return Dropped(DROP_NO_PHOTO)
    photo_url = bio.photo.strip()
    try:
        raw = api.transport.get_photo(photo_url)
    except FetchError as exc:
        if exc.status in PHOTO_GONE_STATUSES:
            return Dropped(DROP_PHOTO_MISSING, exc.reason, exc.url)
        return Failed("photo", exc.reason, exc.url)
    try:
        with Image.open(io.BytesIO(raw)) as opened:
            image = ImageOps.exif_transpose(opened)
            rgb = image.convert("RGB")
    except Exception as exc:  # Pillow raises many types for bad bytes; none should stop a build
        return Failed("image", f"cannot decode image ({type(exc).__name__})", photo_url)
    if is_greyscale(image, rgb):
        return Dropped(DROP_GREYSCALE)
    return Kept(gender, photo_url, to_png(rgb))
