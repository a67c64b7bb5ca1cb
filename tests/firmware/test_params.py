"""The parameter tree and its store, on a real SQLite file and a real bus."""

from __future__ import annotations

import threading

import pytest

from herald.access import Level
from herald.bus import Bus
from herald.params import (
    Group,
    GroupError,
    Param,
    ParamError,
    ParamStore,
    Pattern,
    Template,
    Tree,
    default_tree,
)
from herald.params.contract import CHANGED
from herald.params.types import Address, Bool, Enum, Host, Int, Password, String
from tests.conftest import wait_until


def test_types_accept_good_values_in_canonical_form_and_explain_bad_ones():
    assert Bool().parse("TRUE") == "yes" and Bool().parse("off") == "no"
    assert Int(1, 10).parse(" 07 ") == "7"
    assert Enum(("dhcp", "none")).parse("DHCP") == "dhcp"
    assert Address().parse(" 10.0.0.1 ") == "10.0.0.1"
    assert Host().parse("ntp.example.org") == "ntp.example.org"
    for kind, bad, reason in [
        (Bool(), "maybe", "yes or no"),
        (Int(1024, 65535), "80", "between 1024 and 65535"),
        (Int(0, 9), "1e3", "whole number"),
        (String(8), "x" * 9, "at most 8"),
        (String(), "tab\there", "printable"),
        (Enum(("a", "b")), "c", "one of a, b"),
        (Address(), "300.1.1.1", "IPv4"),
        (Host(), "bad_host!", "host name"),
    ]:
        with pytest.raises(ValueError, match=reason):
            kind.parse(bad)


def test_names_resolve_like_param_cgi_and_patterns_match_whole_words():
    tree = default_tree()
    assert tree.resolve("root.brand.prodnbr").name == "Brand.ProdNbr"
    assert tree.resolve("SNMP.Trap.t12.Address").name == "SNMP.Trap.T12.Address"
    assert tree.resolve("SNMP.Trap.T12.Address").instance == "SNMP.Trap.T12"
    assert tree.resolve("Brand.Nope") is None
    assert Pattern("Network").matches("Network.Bonjour.Enabled")
    assert Pattern("root.Network.*.Enabled").matches("Network.UPnP.Enabled")
    assert not Pattern("Net").matches("Network.Bonjour.Enabled")
    assert not Pattern("Network.*.Enabled").matches("Network.IPAddress")


def test_groups_of_one_name_from_two_services_join_and_clashes_are_refused():
    ours = Group("Properties", (Group("System", (Param("SerialNumber", String(), "1"),)),),
                 read=Level.VIEWER, write=Level.ROOT)
    theirs = Group("Properties", (Group("Audio", (Param("Audio", Bool(), "yes"),)),))
    tree = Tree([ours, theirs])
    audio = tree.resolve("Properties.Audio.Audio").definition
    assert (audio.read, audio.write) == (Level.VIEWER, Level.ROOT)  # the group's own levels
    with pytest.raises(ValueError, match="defined twice"):
        Tree([ours, Group("Properties", (Group("System", (Param("SerialNumber", String()),)),))])


@pytest.fixture
def store(tmp_path, redis_url):
    tree = Tree([Group("Test", (
        Param("Name", String(16), "speaker"),
        Param("Port", Int(1024, 65535), "5060"),
        Param("Secret", Password(), ""),
        Param("Fixed", String(), "v1", write=Level.ROOT),
        Param("AdminOnly", Bool(), "no", write=Level.ADMIN),
        Group("Rx", (Template("receiver", "R", (
            Param("Address", Host(optional=False)),
            Param("Port", Int(1, 65535), "162"),
        ), max_groups=2, create=Level.OPERATOR, delete=Level.OPERATOR),)),
    ), read=Level.VIEWER, write=Level.OPERATOR)])
    return ParamStore(tmp_path / "db.sqlite3", tree, Bus(redis_url, source="test"))


class Recorder:
    """Collects CHANGED events from the real bus until stopped."""

    def __init__(self, redis_url):
        self.events = []
        self.bus = Bus(redis_url)
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        wait_until(lambda: self.bus.redis.pubsub_numpat() > 0, what="the recorder to subscribe")

    def _run(self):
        for event in self.bus.listen(CHANGED, "test.stop"):
            if event.topic == "test.stop":
                return
            self.events.append(event.data)

    def stop(self):
        self.bus.publish("test.stop")
        self.thread.join(timeout=10)


@pytest.fixture
def recorder(redis_url):
    recorder = Recorder(redis_url)
    yield recorder
    recorder.stop()


def test_an_update_is_all_or_nothing_and_is_announced_without_secrets(store, recorder):
    with pytest.raises(ParamError) as refused:
        store.update({"Test.Name": "lobby", "Test.Port": "80"}, Level.OPERATOR)
    assert refused.value.name == "Test.Port"
    assert refused.value.reason == "must be between 1024 and 65535"
    assert store.get("Test.Name") == "speaker", "a refused request changed nothing"

    changed = store.update({"root.test.name": "lobby", "Test.Secret": "s3cret"}, Level.OPERATOR)
    assert changed == {"Test.Name": "lobby", "Test.Secret": "s3cret"}
    assert store.get("Test.Name") == "lobby" and store.get("Test.Secret") == "s3cret"
    assert dict(store.list(["Test.Secret"], Level.ADMIN).lines) == {"Test.Secret": ""}
    wait_until(lambda: recorder.events, what="the change on the bus")
    assert recorder.events == [{"changed": {"Test.Name": "lobby", "Test.Secret": None},
                                "removed": []}]


def test_levels_and_read_only_parameters_are_enforced(store):
    with pytest.raises(ParamError, match="read-only"):
        store.update({"Test.Fixed": "v2"}, Level.ADMIN)
    assert store.get("Test.Fixed") == "v1"
    # The firmware itself (ROOT, no account has it) sets read-only facts.
    assert store.update({"Test.Fixed": "v2"}, Level.ROOT) == {"Test.Fixed": "v2"}
    with pytest.raises(ParamError, match="not allowed"):
        store.update({"Test.AdminOnly": "yes"}, Level.OPERATOR)
    with pytest.raises(ParamError, match="no such parameter"):
        store.update({"Test.Nope": "1"}, Level.ADMIN)
    assert store.list(["Test"], Level.ANONYMOUS).lines == []
    assert store.list(["Test.Nope", "Test.Name"], Level.VIEWER).missing == ["Test.Nope"]


def test_template_groups_are_added_and_removed_whole(store):
    made = store.add("receiver", "Test.Rx", {"Test.Rx.R.Address": "10.0.0.9"}, Level.OPERATOR)
    assert made == "R0"
    with pytest.raises(GroupError, match="Address"):
        store.add("receiver", "Test.Rx", {}, Level.OPERATOR)  # the address is required
    with pytest.raises(GroupError, match="between 1 and 65535"):
        store.add("receiver", "Test.Rx", {"Test.Rx.R.Address": "h", "Test.Rx.R.Port": "0"},
                  Level.OPERATOR)
    assert store.add("receiver", "Test.Rx", {"Test.Rx.R.Address": "h2"}, Level.OPERATOR) == "R1"
    with pytest.raises(GroupError, match="at most 2"):
        store.add("receiver", "Test.Rx", {"Test.Rx.R.Address": "h3"}, Level.OPERATOR)
    assert dict(store.list(["Test.Rx"], Level.VIEWER).lines) == {
        "Test.Rx.R0.Address": "10.0.0.9", "Test.Rx.R0.Port": "162",
        "Test.Rx.R1.Address": "h2", "Test.Rx.R1.Port": "162",
    }
    with pytest.raises(GroupError):
        store.remove(["Test.Rx.R1", "Test.Rx.R7"], Level.OPERATOR)
    assert store.get("Test.Rx.R1.Address") == "h2", "a refused removal removed nothing"
    store.remove(["Test.Rx.R0"], Level.OPERATOR)
    with pytest.raises(ParamError, match="no such parameter"):
        store.update({"Test.Rx.R0.Port": "1"}, Level.OPERATOR)
    assert store.add("receiver", "Test.Rx", {"Test.Rx.R.Address": "h4"}, Level.OPERATOR) == "R0"


def test_a_list_of_groups_is_replaced_whole_or_not_at_all(store, recorder):
    store.add("receiver", "Test.Rx", {"Test.Rx.R.Address": "old0"}, Level.OPERATOR)
    store.add("receiver", "Test.Rx", {"Test.Rx.R.Address": "old1"}, Level.OPERATOR)
    before = dict(store.list(["Test.Rx"], Level.VIEWER).lines)
    for refused in ([{"Test.Rx.R.Address": "new0"}, {"Test.Rx.R.Port": "0"}],  # a bad second
                    [{"Test.Rx.R.Address": f"h{n}"} for n in range(3)]):  # past the limit
        with pytest.raises(GroupError):
            store.replace_groups("receiver", "Test.Rx", refused, Level.OPERATOR)
        assert dict(store.list(["Test.Rx"], Level.VIEWER).lines) == before
    with pytest.raises(GroupError, match="not allowed"):
        store.replace_groups("receiver", "Test.Rx", [], Level.VIEWER)

    assert store.replace_groups("receiver", "Test.Rx", [{"Test.Rx.R.Address": "new0"}],
                                Level.OPERATOR) == ["R0"]
    assert dict(store.list(["Test.Rx"], Level.VIEWER).lines) == {
        "Test.Rx.R0.Address": "new0", "Test.Rx.R0.Port": "162"}
    assert store.replace_groups("receiver", "Test.Rx", [], Level.OPERATOR) == []
    assert store.list(["Test.Rx"], Level.VIEWER).missing == ["Test.Rx"]
    recorder.stop()
    # An added group announces its own parameters, no other.
    assert recorder.events[0] == {"changed": {"Test.Rx.R0.Address": "old0",
                                              "Test.Rx.R0.Port": "162"}, "removed": []}
    # Announced once each: the group kept its name (changed), the other went.
    assert recorder.events[-2:] == [
        {"changed": {"Test.Rx.R0.Address": "new0", "Test.Rx.R0.Port": "162"},
         "removed": ["Test.Rx.R1"]},
        {"changed": {}, "removed": ["Test.Rx.R0"]}]


def test_reset_keeps_only_what_it_is_told_to(store):
    store.update({"Test.Name": "lobby", "Test.Port": "5070"}, Level.OPERATOR)
    store.add("receiver", "Test.Rx", {"Test.Rx.R.Address": "h"}, Level.OPERATOR)
    store.reset(keep=frozenset({"Test.Port"}))
    assert store.get("Test.Name") == "speaker"
    assert store.get("Test.Port") == "5070"
    assert store.list(["Test.Rx"], Level.VIEWER).missing == ["Test.Rx"]


def test_concurrent_writers_lose_nothing(store):
    def write(i):
        for j in range(20):
            store.update({"Test.Name": f"w{i}-{j}"}, Level.OPERATOR)
    threads = [threading.Thread(target=write, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert store.get("Test.Name") in {f"w{i}-19" for i in range(4)}
