"""Security and robustness against the real binary: AUTH / requirepass / HELLO AUTH, ACL users,
NOPERM and ACL LOG through redis-py, protected mode (a client from 127.0.0.2 is not loopback
for Redis), maxclients, idle timeout, output-buffer limits for clients that never read, query
limits, and hostile input (random bytes, truncated frames, 2^31 lengths, deep nesting, many
connections): the server stays up and keeps serving. Replies are redis-server 7.0.15's."""
import os
import random
import socket
import time

import pytest
import redis

from conftest import ServerProcess, check_clean_exit

NOPERM_KEY = "this user has no permissions to access one of the keys used as arguments"
WRONGPASS = "invalid username-password pair or user is disabled."


@pytest.fixture
def make_server():
    started = []

    def start(*extra, workers=2):
        s = ServerProcess()
        s.start(workers=workers, extra_args=extra)
        started.append(s)
        return s

    yield start
    for s in started:
        check_clean_exit(s)


def raw(port, data, read=True, timeout=5, source=None):
    """Sends data on a fresh connection and returns what arrives until the server closes or
    `timeout` passes (b"" when nothing)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(timeout)
    if source:
        s.bind((source, 0))
    s.connect(("127.0.0.1", port))
    out = b""
    try:
        if data:
            s.sendall(data)
        if read:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                out += chunk
    except (socket.timeout, ConnectionResetError, BrokenPipeError):
        pass
    finally:
        s.close()
    return out


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def test_requirepass_auth_and_hello(make_server):
    s = make_server("--requirepass", "s3cret")
    anon = s.client()
    with pytest.raises(redis.AuthenticationError, match="Authentication required"):
        anon.get("k")
    with pytest.raises(redis.ResponseError, match=WRONGPASS):
        anon.execute_command("AUTH", "wrong")
    assert anon.execute_command("AUTH", "s3cret") is True
    assert anon.set("k", "v")
    good = s.client(password="s3cret")
    assert good.get("k") == b"v"
    with pytest.raises((redis.AuthenticationError, redis.ResponseError), match="WRONGPASS"):
        s.client(password="bad").ping()
    # HELLO 3 AUTH authenticates and switches protocol in one step; without AUTH it is refused.
    hello = raw(s.port, b"HELLO 3\r\n", timeout=1)
    assert hello.startswith(b"-NOAUTH HELLO must be called with the client already authenticated")
    hello = raw(s.port, b"HELLO 3 AUTH default s3cret\r\nGET k\r\n", timeout=1)
    assert hello.startswith(b"%7\r\n") and hello.endswith(b"$1\r\nv\r\n")
    # Unauthenticated clients may not send big requests (Redis's limits: 10 args, 2000 bytes).
    big = raw(s.port, b"*20\r\n", timeout=2)
    assert big == b"-ERR Protocol error: unauthenticated multibulk length\r\n"
    # Removing the password opens the server again.
    assert good.config_set("requirepass", "") is True
    assert s.client().get("k") == b"v"
    with pytest.raises(redis.ResponseError, match="called without any password configured"):
        s.client().execute_command("AUTH", "x")
    assert good.config_set("requirepass", "other") is True
    with pytest.raises(redis.AuthenticationError, match="Authentication required"):
        s.client().get("k")
    assert s.client(password="other").get("k") == b"v"


def test_acl_users_noperm_and_log(make_server):
    s = make_server()
    admin = s.client()
    assert admin.acl_setuser("alice", enabled=True, passwords=["+pw"], keys=["foo*"],
                             commands=["+get", "+set", "+@hash", "-hgetall", "+multi", "+exec"])
    assert admin.acl_users() == ["alice", "default"]
    alice = s.client(username="alice", password="pw")
    assert alice.set("foo1", "v")
    assert alice.get("foo1") == b"v"
    with pytest.raises(redis.exceptions.NoPermissionError, match=NOPERM_KEY):
        alice.get("bar")
    with pytest.raises(redis.exceptions.NoPermissionError,
                       match="this user has no permissions to run the 'del' command"):
        alice.delete("foo1")
    with pytest.raises(redis.exceptions.NoPermissionError,
                       match="this user has no permissions to run the 'hgetall' command"):
        alice.hgetall("foo2")
    assert alice.hset("foo2", "f", "v") == 1
    with pytest.raises((redis.AuthenticationError, redis.ResponseError), match="WRONGPASS"):
        s.client(username="alice", password="nope").ping()
    log = admin.acl_log()
    assert [e["reason"] for e in log[:3]] == ["auth", "command", "command"]
    assert log[0]["object"] == "AUTH" and log[0]["username"] == "alice"
    assert log[1]["object"] == "hgetall" and log[1]["context"] == "toplevel"
    key = [e for e in log if e["reason"] == "key"]
    assert key and key[0]["object"] == "bar" and key[0]["client-info"]["user"] == "alice"
    # Transactions: refused at queue time, the block is aborted.
    pipe = alice.pipeline(transaction=True)
    pipe.set("foo3", "x")
    pipe.get("bar")
    with pytest.raises(redis.ResponseError, match="no permissions to access one of the keys"):
        pipe.execute()
    assert admin.acl_log(count=1)[0]["context"] == "multi"
    # The user's connections see changes at once; deleting the user disconnects them.
    assert admin.acl_setuser("alice", commands=["+del"])
    assert alice.delete("foo1") == 1
    client_list = admin.client_list()
    assert any(c["user"] == "alice" for c in client_list)
    assert admin.acl_deluser("alice") == 1
    time.sleep(0.3)
    assert not any(c["user"] == "alice" for c in admin.client_list())
    assert admin.acl_log_reset()
    assert admin.acl_log() == []
    assert admin.ping()


def test_secrets_stay_out_of_slowlog_and_client_list(make_server):
    s = make_server()
    r = s.client()
    r.config_set("slowlog-log-slower-than", 0)
    r.acl_setuser("bob", enabled=True, passwords=["+hunter2"], commands=["+@all"], keys=["*"])
    bob = s.client(username="bob", password="hunter2")
    bob.execute_command("HELLO", "2", "AUTH", "bob", "hunter2")
    bob.ping()
    text = repr(r.slowlog_get(100)) + repr(r.client_list()) + repr(r.acl_list())
    assert "hunter2" not in text
    assert "(redacted)" in repr(r.slowlog_get(100))
    assert "hunter2" not in s.log()


def test_protected_mode(make_server):
    # Redis accepts only 127.0.0.1 and ::1 as loopback peers: 127.0.0.2 is refused.
    s = make_server()
    reply = raw(s.port, b"PING\r\n", source="127.0.0.2", timeout=3)
    assert reply.startswith(b"-DENIED Redis is running in protected mode because protected mode "
                            b"is enabled and no password is set for the default user.")
    assert raw(s.port, b"PING\r\n", timeout=0.5) == b"+PONG\r\n"
    # A password for the default user, or protected-mode no, lets it in.
    r = s.client()
    r.config_set("requirepass", "pw")
    assert raw(s.port, b"AUTH pw\r\nPING\r\n", source="127.0.0.2",
               timeout=0.5) == b"+OK\r\n+PONG\r\n"
    r2 = s.client(password="pw")
    r2.config_set("requirepass", "")
    r2.config_set("protected-mode", "no")
    assert raw(s.port, b"PING\r\n", source="127.0.0.2", timeout=0.5) == b"+PONG\r\n"


def test_maxclients(make_server):
    s = make_server("--maxclients", "3")
    time.sleep(0.5)  # the start-up probe's connection is gone
    held = [socket.create_connection(("127.0.0.1", s.port)) for _ in range(3)]
    try:
        for h in held:
            h.sendall(b"PING\r\n")
            assert h.recv(64) == b"+PONG\r\n"
        assert raw(s.port, b"", timeout=3) == b"-ERR max number of clients reached\r\n"
    finally:
        for h in held:
            h.close()
    time.sleep(0.3)
    assert s.client().ping()


def test_idle_timeout(make_server):
    s = make_server("--timeout", "1")
    idle = socket.create_connection(("127.0.0.1", s.port))
    idle.settimeout(6)
    idle.sendall(b"PING\r\n")
    assert idle.recv(64) == b"+PONG\r\n"
    start = time.time()
    assert idle.recv(64) == b""  # closed by the server
    assert 0.5 < time.time() - start < 5
    idle.close()
    assert s.client().ping()


def test_client_that_never_reads_is_disconnected(make_server):
    s = make_server("--client-output-buffer-limit", "normal 4mb 0 0")
    r = s.client()
    r.set("big", "x" * (1 << 20))
    slow = socket.create_connection(("127.0.0.1", s.port))
    slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    slow.sendall(b"GET big\r\n" * 300)  # 300 MB of replies, never read
    deadline = time.time() + 10
    while time.time() < deadline:
        if "overcoming of output buffer limits" in s.log() and len(r.client_list()) == 1:
            break
        assert r.ping()  # others are served meanwhile
        time.sleep(0.1)
    assert len(r.client_list()) == 1, r.client_list()
    assert "overcoming of output buffer limits" in s.log()
    slow.close()
    assert r.get("big") == b"x" * (1 << 20)


def test_client_that_never_reads_without_limit_is_held_back(make_server):
    # The default (normal 0 0 0) keeps the client, but stops reading from it: memory stays
    # bounded (back-pressure at 64 MB of pending output) and others are served.
    s = make_server()
    r = s.client()
    r.set("big", "x" * (1 << 20))
    before = rss_kb(s.pid)
    slow = socket.create_connection(("127.0.0.1", s.port))
    slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    slow.settimeout(10)
    try:
        slow.sendall(b"GET big\r\n" * 400)
    except socket.timeout:
        pass
    time.sleep(1)
    assert r.ping() and r.get("big") is not None
    assert rss_kb(s.pid) - before < 200 * 1024
    slow.close()


def test_query_limits(make_server):
    s = make_server("--client-query-buffer-limit", "1mb")
    # A partial request beyond the query buffer limit: closed without a reply.
    s2 = socket.create_connection(("127.0.0.1", s.port))
    s2.settimeout(5)
    got = b""
    try:
        s2.sendall(b"*2\r\n$3\r\nGET\r\n$3000000\r\n")
        for _ in range(20):
            s2.sendall(b"x" * 100000)
        got = s2.recv(64)
    except (ConnectionResetError, BrokenPipeError):
        pass
    s2.close()
    assert got == b""
    assert "max query buffer length" in s.log()
    r = s.client()
    assert r.ping()
    r.config_set("proto-max-bulk-len", "1mb")
    assert raw(s.port, b"*2\r\n$3\r\nGET\r\n$2000000\r\n", timeout=2) == \
        b"-ERR Protocol error: invalid bulk length\r\n"


def test_hostile_input_server_stays_up(make_server):
    s = make_server()
    port = s.port
    cases = [
        b"*2147483648\r\n",                    # 2^31 arguments
        b"*1\r\n$2147483648\r\n",              # 2^31 bytes
        b"*1\r\n$-5\r\n",
        b"*-1\r\nPING\r\n",
        b"*1\r\n*1\r\n*1\r\n*1\r\n$1\r\nx\r\n",  # nesting
        b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nab",  # truncated
        b"$5\r\nhello\r\n",
        b"\r\n\r\n\r\n",
        b'"unbalanced\r\n',
        b"*1\r\n$4\r\nPING",
        b"*99999999999999999999\r\n",
        b"\x00\xff" * 100,
    ]
    for data in cases:
        raw(port, data, timeout=0.3)
    rnd = random.Random(9)
    for _ in range(300):
        n = rnd.randrange(1, 300)
        data = bytes(rnd.randrange(256) for _ in range(n))
        if rnd.random() < 0.5:
            data = b"*" + str(rnd.randrange(-2, 5)).encode() + b"\r\n" + data
        raw(port, data, read=False)
    assert s.alive()
    r = s.client()
    assert r.ping()
    assert r.set("after", "fuzz") and r.get("after") == b"fuzz"
    # Many connections opened and dropped: memory returns near its baseline.
    before = rss_kb(s.pid)
    for i in range(10000):
        c = socket.create_connection(("127.0.0.1", port))
        if i % 10 == 0:
            c.sendall(b"PING\r\n")
        c.close()
    time.sleep(0.5)
    assert r.ping()
    assert rss_kb(s.pid) - before < 64 * 1024
    info = r.info("clients")
    assert info["connected_clients"] <= 2
