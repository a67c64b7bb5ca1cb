"""The clip store: what it accepts, what it refuses and why; a refusal stores nothing."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import numpy as np
import pytest
import soundfile

from herald.access import Level
from herald.audio.clip_service import ClipService, staging_dir
from herald.audio.clipformat import ClipError
from herald.audio.clips import ClipLimits, ClipStore
from herald.audio.contract import Clip, ClipNotFound
from herald.params import GroupError, ParamError, ParamStore, default_tree
from tests.audio.clip_files import DAMAGE, GOOD, truncations
from tests.audio.signals import encode, sine


@pytest.fixture(scope="module")
def samples() -> dict[str, bytes]:
    return {fmt: encode(sine(800, 1.0, rate), rate, fmt) for fmt, (_, rate) in GOOD.items()}


def params(directory: Path) -> ParamStore:
    return ParamStore(directory / "db.sqlite3", default_tree())


@pytest.fixture
def store(tmp_path: Path) -> ClipStore:
    return ClipStore(tmp_path / "clips", params(tmp_path))


def contents(store: ClipStore) -> list[str]:
    return sorted(p.name for p in store.directory.iterdir() if p.name != ".lock")


@pytest.mark.parametrize("fmt", GOOD)
def test_each_format_is_stored_with_what_it_is(store: ClipStore, samples: dict[str, bytes],
                                               fmt: str) -> None:
    filename, rate = GOOD[fmt]
    clip = store.add(samples[fmt], filename)
    assert (clip.name, clip.format, clip.channels) == ("bell", fmt, 1)
    assert clip.rate == (48000 if fmt == "opus" else rate)
    assert clip.duration == pytest.approx(1.0, abs=0.001)
    assert store.path(clip).read_bytes() == samples[fmt]
    assert store.list() == [clip]
    # Another process sees it too, and param.cgi lists it as VAPIX clients expect.
    assert ClipStore(store.directory, params(store.directory.parent)).get(clip.id) == clip
    listed = dict(store.params.list(["MediaClip"], Level.VIEWER).lines)
    assert listed[f"MediaClip.M{clip.id}.Name"] == "bell"
    assert listed[f"MediaClip.M{clip.id}.Type"] == "audio"
    assert listed[f"MediaClip.M{clip.id}.Location"] == str(store.path(clip))


def test_rename_and_remove_as_parameters(store: ClipStore, samples: dict[str, bytes]) -> None:
    first = store.add(samples["wav"], "one.wav")
    second = store.add(samples["mp3"], "two.mp3", name="Second clip")
    assert (first.id, second.id) == (0, 1)
    assert store.rename(first.id, "  Doorbell  ").name == "Doorbell"
    assert store.params.get("MediaClip.M0.Name") == "Doorbell"
    store.remove(second.id)
    assert "MediaClip.M1" not in store.params.snapshot().instances
    third = store.add(samples["au"], "Türklingel.au")
    assert (third.id, third.name) == (1, "Turklingel")  # VAPIX numbering: the lowest free
    assert [c.name for c in store.list()] == ["Doorbell", "Turklingel"]
    with pytest.raises(ClipNotFound):
        store.get(7)
    for bad in ("", "   ", "x" * 65, "bell\x07", "Glocke für Tür"):
        with pytest.raises(ClipError):
            store.rename(first.id, bad)
    assert store.get(first.id).name == "Doorbell"
    # Nobody makes or removes clip groups but the store, which keeps the file with them.
    with pytest.raises(GroupError):
        store.params.add("mediaclip", "MediaClip", {}, Level.ADMIN)
    with pytest.raises(GroupError):
        store.params.remove(["MediaClip.M0"], Level.ADMIN)
    with pytest.raises(ParamError):
        store.params.update({"MediaClip.M0.Type": "video"}, Level.ADMIN)
    with pytest.raises(ParamError, match="read-only"):
        store.params.update({"MediaClip.M0.Location": "/etc/shadow"}, Level.ADMIN)


def test_an_unfinished_upload_is_cleared_away(store: ClipStore, samples: dict[str, bytes]) -> None:
    clip = store.add(samples["wav"], "kept.wav")
    # What a power cut mid-upload leaves: audio without its description, a temporary file.
    (store.directory / "7.mp3").write_bytes(samples["mp3"])
    (store.directory / ".tmp-abc").write_bytes(b"partial")
    reopened = ClipStore(store.directory, store.params)
    assert reopened.list() == [clip]
    assert contents(reopened) == ["0.json", "0.wav"]


@pytest.mark.parametrize("fmt", GOOD)
def test_truncated_corrupt_and_mislabeled_files_are_refused(store: ClipStore,
                                                            samples: dict[str, bytes],
                                                            fmt: str) -> None:
    good = store.add(samples["wav"], "good.wav")
    before = contents(store)
    filename = GOOD[fmt][0]
    cases = [(data, filename) for data in truncations(samples[fmt]) + DAMAGE[fmt](samples[fmt])]
    others = [name for other, (name, _) in GOOD.items() if other != fmt
              and not (name.endswith(".ogg") and fmt == "opus")]
    cases += [(samples[fmt], name) for name in others]  # mislabeled
    for data, name in cases:
        with pytest.raises(ClipError) as refused:
            store.add(data, name)
        message = str(refused.value)
        assert len(message) > 15 and "Traceback" not in message
        assert contents(store) == before, f"{name} ({len(data)} bytes) left something behind"
    assert store.list() == [good]


@pytest.mark.parametrize(("data", "filename", "words"), [
    (b"", "empty.wav", "empty"),
    (b"Hello, this is not a sound at all.\n" * 20, "letter.mp3", "text"),
    (b"\x89PNG\r\n\x1a\n" + bytes(200), "picture.wav", "PNG"),
    (bytes(np.random.default_rng(1).integers(0, 256, 5000, dtype=np.uint8)), "noise.au",
     "not audio"),
    (b"fLaC" + bytes(100), "song.ogg", "FLAC"),
    (b"RIFF\x00\x00\x00\x00WAVE", "song.flac", "must end in"),
])
def test_files_that_are_not_clips_are_refused(store: ClipStore, data: bytes, filename: str,
                                              words: str) -> None:
    with pytest.raises(ClipError, match=words):
        store.add(data, filename)
    assert contents(store) == []


def test_limits_on_size_duration_count_and_space(tmp_path: Path,
                                                 samples: dict[str, bytes]) -> None:
    wav = samples["wav"]
    small = ClipStore(tmp_path / "a", params(tmp_path), ClipLimits(max_bytes=len(wav) - 1))
    with pytest.raises(ClipError, match="at most"):
        small.add(wav, "x.wav")
    short = ClipStore(tmp_path / "b", params(tmp_path), ClipLimits(max_duration=0.5))
    with pytest.raises(ClipError, match="1 s long"):
        short.add(wav, "x.wav")
    other = tmp_path / "other"
    other.mkdir()
    few = ClipStore(tmp_path / "c", params(other), ClipLimits(max_clips=1))
    few.add(wav, "x.wav")
    with pytest.raises(ClipError, match="already 1 clips"):
        few.add(wav, "y.wav")
    full = ClipStore(tmp_path / "d", params(tmp_path), ClipLimits(reserve_bytes=2**62))
    with pytest.raises(ClipError, match="not enough space"):
        full.add(wav, "x.wav")
    assert [len(s.list()) for s in (small, short, few, full)] == [0, 0, 1, 0]


def test_stereo_and_rates_outside_the_range(store: ClipStore) -> None:
    stereo = encode(sine(500, 0.5, 16000, channels=2), 16000, "wav")
    assert store.add(stereo, "stereo.wav").channels == 2
    with pytest.raises(ClipError, match="96000 Hz is not supported"):
        store.add(encode(sine(500, 0.5, 96000), 96000, "wav"), "hifi.wav")
    with pytest.raises(ClipError, match="3 channels"):
        store.add(encode(sine(500, 0.5, 16000, channels=3), 16000, "wav"), "three.wav")


@pytest.mark.parametrize(("subtype", "codec"), [("PCM_24", "PCM 24-bit"), ("PCM_32", "PCM 32-bit"),
                                                ("FLOAT", "float 32-bit")])
def test_wav_of_more_than_16_bits_is_taken(store: ClipStore, subtype: str, codec: str) -> None:
    """What audio editors export by default: 24-bit, 32-bit and float WAV."""
    out = io.BytesIO()
    soundfile.write(out, sine(440, 0.5, 48000), 48000, subtype=subtype, format="WAV")
    clip = store.add(out.getvalue(), "editor.wav")
    assert (clip.codec, clip.duration) == (codec, 0.5)


def test_the_clip_service_adds_only_what_was_staged_and_converts_downloads_once(
        tmp_path: Path, samples: dict[str, bytes]) -> None:
    """The service reads an upload only from its staging folder (a caller on the
    bus cannot have it read any file of the device); a clip converted to AU for
    VAPIX's download is kept beside the clip, and goes with it."""
    service = ClipService(tmp_path, params(tmp_path))

    async def scenario() -> tuple[dict, dict, dict, Path]:
        await service.start()
        outside = tmp_path / "bell.wav"
        outside.write_bytes(samples["wav"])
        with pytest.raises(ValueError, match="not an upload staged"):
            await service.add(str(outside), "bell.wav")
        staged = staging_dir(tmp_path) / "upload-1"
        staged.write_bytes(samples["wav"])
        added = await service.add(str(staged), "bell.wav")
        clip = added["clip"]["id"]
        first = await service.file(clip, au=True)
        again = await service.file(clip, au=True)
        return added, first, again, Path(first["path"])

    added, first, again, au = asyncio.run(scenario())
    assert added["clip"]["name"] == "bell" and first == again
    assert au.read_bytes()[:4] == b".snd" and au != Path(service._store().path(
        Clip.from_dict(added["clip"])))
    mtime = au.stat().st_mtime_ns
    asyncio.run(service.file(added["clip"]["id"], au=True))
    assert au.stat().st_mtime_ns == mtime  # converted once, not at every download
    asyncio.run(service.remove(added["clip"]["id"]))
    assert not au.exists() and contents(service._store()) == []


def test_a_converted_copy_left_by_a_power_cut_is_not_taken_for_a_later_clip(
        store: ClipStore, samples: dict[str, bytes]) -> None:
    clip = store.add(samples["wav"], "bell.wav")
    au = store.au_path(clip)
    store.params.remove([f"MediaClip.M{clip.id}"], Level.ROOT)  # the cut: group gone, files not
    reopened = ClipStore(store.directory, store.params)
    assert not au.exists() and contents(reopened) == []
