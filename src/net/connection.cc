// net/connection.cc — one client connection on its worker's loop: accept, read, parse, execute,
// write back, close.
//
// Reads: every read callback feeds the connection's RequestParser and runs all the complete
// commands it holds (pipelining), appending replies to one ReplyWriter; the batch is written once
// at the end of the callback (or earlier when it passes kFlushBytes): uv_try_write first, the
// rest queued with uv_write, so replies stay in order.
// Back-pressure: while more than kMaxPendingOutput bytes wait in the socket's write queue the
// connection stops reading and leaves the commands still in its parser unexecuted; when the
// queue falls under kResumeOutput it runs them and reads again. So a client that pipelines
// requests for big replies without reading them holds at most ~kMaxPendingOutput + one reply.
#include <netinet/in.h>
#include <uv.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "net/log.h"
#include "net/worker_loop.h"
#include "persist/aof.h"
#include "protocol/reply_writer.h"
#include "protocol/request_parser.h"
#include "server/acl.h"
#include "server/dispatch.h"
#include "server/server.h"

namespace stmkv::net {

namespace {

constexpr size_t kReadBufferBytes = 256 * 1024;
constexpr size_t kFlushBytes = 1024 * 1024;                 // write out a batch this large early
constexpr size_t kMaxPendingOutput = 64 * 1024 * 1024;      // stop reading above this
constexpr size_t kResumeOutput = 16 * 1024 * 1024;          // ... resume below this
constexpr std::string_view kMaxClientsError = "-ERR max number of clients reached\r\n";
// Redis 7.0's reply to a non-loopback client in protected mode (typos included).
constexpr std::string_view kProtectedModeError =
    "-DENIED Redis is running in protected mode because protected mode is enabled and no "
    "password is set for the default user. In this mode connections are only accepted from the "
    "loopback interface. If you want to connect from external computers to Redis you may adopt "
    "one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG "
    "SET protected-mode no' from the loopback interface by connecting to Redis from the same "
    "host the server is running, however MAKE SURE Redis is not publicly accessible from "
    "internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively "
    "you can just disable the protected mode by editing the Redis configuration file, and "
    "setting the protected mode option to 'no', and then restarting the server. 3) If you "
    "started the server manually just for testing, restart it with the '--protected-mode no' "
    "option. 4) Setup a an authentication password for the default user. NOTE: You only need "
    "to do one of the above things in order for the server to start accepting connections "
    "from the outside.\r\n";

}  // namespace

struct Connection {
  uv_tcp_t handle;  // handle.data = this; first so a uv_handle_t* casts back
  WorkerLoop* w = nullptr;
  ClientState client;
  protocol::RequestParser parser;
  protocol::ReplyWriter out;
  size_t pending_output = 0;  // bytes in uv_write requests not yet completed
  int64_t obuf_soft_since_ms = 0;  // over the soft output limit since (0: not over it)
  bool registered = false;    // in the ClientRegistry and counted in connections
  bool reading = false;
  bool closing = false;       // uv_close called; freed in its callback
  bool close_when_drained = false;  // QUIT, protocol error, CLIENT KILL of itself
  // appendfsync always: the output waits (in w->held) until the AOF is fsynced up to
  // hold_target, the AOF's end when the output was produced (persist/aof.h).
  bool held = false;
  uint64_t hold_target = 0;
  // Blocked on keys (client.blocked): the command to re-run when woken, its registration and
  // its timeout timer (heap-allocated, closed on unblock; null when it waits forever).
  std::vector<std::string> blocked_argv;
  Waiter waiter;
  uv_timer_t* block_timer = nullptr;
  Connection* prev = nullptr;
  Connection* next = nullptr;

  explicit Connection(const protocol::ParserLimits& limits) : parser(limits) {}
};

namespace {

struct WriteRequest {
  uv_write_t req;
  Connection* conn;
  std::string data;
  size_t len;  // bytes handed to uv_write (data minus what uv_try_write sent)
};

void link(WorkerLoop& w, Connection* c) {
  c->next = w.connections;
  if (w.connections != nullptr) w.connections->prev = c;
  w.connections = c;
}

void unlink(WorkerLoop& w, Connection* c) {
  if (c->prev != nullptr) c->prev->next = c->next;
  else w.connections = c->next;
  if (c->next != nullptr) c->next->prev = c->prev;
  c->prev = c->next = nullptr;
}

void on_closed(uv_handle_t* h) { delete static_cast<Connection*>(h->data); }

void on_timer_closed(uv_handle_t* h) { delete reinterpret_cast<uv_timer_t*>(h); }

// Leaves the blocked state: deregisters the waiter and drops the timeout timer.
void end_block(Connection* c) {
  if (!c->client.blocked.load(std::memory_order_relaxed)) return;
  c->w->server->blocking.remove(&c->waiter);
  c->client.blocked.store(false, std::memory_order_relaxed);
  if (c->block_timer != nullptr) {
    uv_timer_stop(c->block_timer);
    uv_close(reinterpret_cast<uv_handle_t*>(c->block_timer), on_timer_closed);
    c->block_timer = nullptr;
  }
  c->blocked_argv.clear();
}

// Closes the connection now (pending writes are cancelled). Safe to call twice; c stays valid
// until the loop runs the close callback.
void close_connection(Connection* c) {
  if (c->closing) return;
  c->closing = true;
  WorkerLoop& w = *c->w;
  end_block(c);
  unlink(w, c);
  if (c->held) {
    c->held = false;
    w.held.erase(std::find(w.held.begin(), w.held.end(), c));
  }
  if (c->registered) {
    w.server->clients().remove(&c->client);
    w.ctx->connections.fetch_sub(1, std::memory_order_relaxed);
    c->registered = false;
  }
  uv_close(reinterpret_cast<uv_handle_t*>(&c->handle), on_closed);
}

std::string format_addr(const sockaddr_storage& ss) {
  char ip[INET6_ADDRSTRLEN] = {0};
  int port = 0;
  if (ss.ss_family == AF_INET) {
    auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
    uv_ip4_name(a, ip, sizeof(ip));
    port = ntohs(a->sin_port);
    return std::string(ip) + ":" + std::to_string(port);
  }
  if (ss.ss_family == AF_INET6) {
    auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
    uv_ip6_name(a, ip, sizeof(ip));
    port = ntohs(a->sin6_port);
    return "[" + std::string(ip) + "]:" + std::to_string(port);  // as Redis's anetFormatAddr
  }
  return "?:0";
}

void on_alloc(uv_handle_t* h, size_t suggested, uv_buf_t* buf) {
  WorkerLoop& w = *static_cast<Connection*>(h->data)->w;
  *buf = uv_buf_init(w.read_buf.data(), static_cast<unsigned>(w.read_buf.size()));
}

void on_read(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf);
void process_input(Connection* c);

void start_reading(Connection* c) {
  if (c->reading || c->closing) return;
  if (uv_read_start(reinterpret_cast<uv_stream_t*>(&c->handle), on_alloc, on_read) == 0) {
    c->reading = true;
  } else {
    close_connection(c);
  }
}

void stop_reading(Connection* c) {
  if (!c->reading) return;
  uv_read_stop(reinterpret_cast<uv_stream_t*>(&c->handle));
  c->reading = false;
}

void on_written(uv_write_t* req, int status) {
  auto* wr = static_cast<WriteRequest*>(req->data);
  Connection* c = wr->conn;
  c->pending_output -= wr->len;
  c->client.omem.store(c->pending_output, std::memory_order_relaxed);
  delete wr;
  if (c->closing) return;
  if (status < 0) {
    close_connection(c);
    return;
  }
  if (c->pending_output == 0 && c->close_when_drained) {
    close_connection(c);
    return;
  }
  if (!c->reading && !c->close_when_drained && c->pending_output < kResumeOutput) {
    process_input(c);  // the commands left in the parser when output filled up
    if (!c->closing && !c->close_when_drained && c->pending_output <= kMaxPendingOutput) {
      start_reading(c);
    }
  }
}

// client-output-buffer-limit normal <hard> <soft> <seconds>: whether c's queued output passes
// the hard limit, or has stayed over the soft one for longer than the seconds (Redis's
// checkClientOutputBufferLimits). 0 disables a limit.
bool over_output_limit(Connection* c) {
  ServerConfig::OutputBufferLimit limit;
  {
    std::lock_guard<std::mutex> g(c->w->server->config_lock());
    limit = c->w->server->config().obuf_normal;
  }
  if (limit.hard > 0 && c->pending_output >= limit.hard) return true;
  if (limit.soft == 0 || c->pending_output < limit.soft) {
    c->obuf_soft_since_ms = 0;
    return false;
  }
  int64_t now = now_ms();
  if (c->obuf_soft_since_ms == 0) c->obuf_soft_since_ms = now;
  return now - c->obuf_soft_since_ms > limit.soft_seconds * 1000;
}

// Sends what c->out holds, in order after anything already queued.
void flush_now(Connection* c);
void flush(Connection* c) {
  if (c->closing) return;
  if (!c->out.empty() || c->held) {
    // appendfsync always: nothing is sent before the AOF holds every write it may reflect
    // (the commands' own and any it read) on disk.
    uint64_t target = persist::Aof::sync_target();
    if (target != 0 && !persist::Aof::synced(target)) {
      c->hold_target = target;
      if (!c->held) {
        c->held = true;
        c->w->held.push_back(c);
      }
      return;
    }
  }
  flush_now(c);
}

void flush_now(Connection* c) {
  if (c->closing) return;
  if (c->held) return;
  if (!c->out.empty()) {
    WorkerLoop& w = *c->w;
    auto* stream = reinterpret_cast<uv_stream_t*>(&c->handle);
    size_t n = c->out.size();
    w.ctx->net_output_bytes.fetch_add(n, std::memory_order_relaxed);
    size_t sent = 0;
    if (c->pending_output == 0) {
      std::string_view v = c->out.view();
      uv_buf_t b = uv_buf_init(const_cast<char*>(v.data()), static_cast<unsigned>(v.size()));
      int r = uv_try_write(stream, &b, 1);
      if (r >= 0) {
        sent = static_cast<size_t>(r);
      } else if (r != UV_EAGAIN) {
        close_connection(c);
        return;
      }
    }
    if (sent == n) {
      c->out.clear();  // keeps the buffer's capacity for the next batch
    } else {
      auto* wr = new WriteRequest;
      wr->conn = c;
      wr->data = c->out.take();
      wr->len = n - sent;
      wr->req.data = wr;
      uv_buf_t b = uv_buf_init(wr->data.data() + sent, static_cast<unsigned>(wr->len));
      if (uv_write(&wr->req, stream, &b, 1, on_written) != 0) {
        delete wr;
        close_connection(c);
        return;
      }
      c->pending_output += wr->len;
      c->client.omem.store(c->pending_output, std::memory_order_relaxed);
      if (over_output_limit(c)) {
        server_log(LogLevel::kWarning,
                   "Client id=" + std::to_string(c->client.id) + " addr=" + c->client.addr +
                       " scheduled to be closed ASAP for overcoming of output buffer limits.");
        close_connection(c);
        return;
      }
      if (c->pending_output > kMaxPendingOutput) stop_reading(c);
    }
  }
  if (c->close_when_drained && c->pending_output == 0) close_connection(c);
}

void process_input(Connection* c);
void flush(Connection* c);

// Unblocks c after its timeout: replies the null of its command and resumes its input.
void on_block_timeout(uv_timer_t* t) {
  auto* c = static_cast<Connection*>(t->data);
  if (c->closing || !c->client.blocked.load(std::memory_order_relaxed)) return;
  end_block(c);
  c->out.set_resp(c->client.resp);
  if (c->client.reply_mode == ReplyMode::kOn) {
    if (c->client.block_null_array) {
      c->out.add_null_array();
    } else {
      c->out.add_null();
    }
  }
  process_input(c);  // the commands that arrived meanwhile; flushes
}

// The blocking command just run found no data: register c as a waiter on its keys and stop
// executing its input until it is served or times out (server/blocking.h).
void begin_block(Connection* c, const protocol::CommandArgs& args) {
  WorkerLoop& w = *c->w;
  ClientState& client = c->client;
  client.block_pending = false;
  c->blocked_argv.clear();
  for (size_t i = 0; i < args.size(); ++i) c->blocked_argv.emplace_back(args[i]);
  c->waiter.client_id = client.id;
  c->waiter.worker = w.index;
  c->waiter.db = client.db;
  c->waiter.keys = std::move(client.block_keys);
  client.block_keys.clear();
  c->waiter.owner = c;
  client.blocked.store(true, std::memory_order_relaxed);
  w.server->blocking.add(&c->waiter);
  if (client.block_timeout_ms > 0) {
    c->block_timer = new uv_timer_t;
    uv_timer_init(&w.loop, c->block_timer);
    c->block_timer->data = c;
    uv_timer_start(c->block_timer, on_block_timeout, static_cast<uint64_t>(client.block_timeout_ms),
                   0);
  }
  // A push that committed after the command's transaction but before add() signalled nobody:
  // look again (through the normal wake-up path, so FIFO order holds).
  for (const std::string& k : c->waiter.keys) w.server->blocking.signal(c->waiter.db, k);
}

// Re-runs the command of a woken blocked client: served (reply, unblock, resume its input,
// pass the turn to the next waiter) or still without data (stays blocked in its place).
void retry_blocked(Connection* c) {
  WorkerLoop& w = *c->w;
  ClientState& client = c->client;
  std::vector<std::string> argv = c->blocked_argv;
  w.argv.clear();
  for (const std::string& a : argv) w.argv.push_back(a);
  c->out.set_resp(client.resp);
  size_t mark = c->out.size();
  client.block_retry = true;
  execute_command(*w.ctx, client, std::span<const std::string_view>(w.argv), c->out);
  client.block_retry = false;
  if (client.block_pending) {
    client.block_pending = false;
    client.block_keys.clear();
    return;
  }
  std::vector<std::string> keys = c->waiter.keys;
  int db = c->waiter.db;
  end_block(c);
  if (client.reply_mode != ReplyMode::kOn) c->out.truncate(mark);
  for (const std::string& k : keys) w.server->blocking.signal(db, k);
  process_input(c);
}

// Runs one parsed command and applies the client's reply mode (CLIENT REPLY OFF|SKIP).
void run_command(Connection* c, const protocol::CommandArgs& args) {
  WorkerLoop& w = *c->w;
  w.argv.clear();
  for (size_t i = 0; i < args.size(); ++i) w.argv.push_back(args[i]);
  ClientState& client = c->client;
  c->out.set_resp(client.resp);
  size_t mark = c->out.size();
  ReplyMode before = client.reply_mode;
  execute_command(*w.ctx, client, std::span<const std::string_view>(w.argv), c->out);
  ReplyMode after = client.reply_mode;
  // As Redis's CLIENT_REPLY_OFF / CLIENT_REPLY_SKIP flags: nothing is sent while OFF is on;
  // CLIENT REPLY SKIP sends nothing and the next command's reply is dropped, unless that
  // command is CLIENT REPLY ON (whose +OK is sent).
  if (after != ReplyMode::kOn) c->out.truncate(mark);
  if (before == ReplyMode::kSkip && after == ReplyMode::kSkip) client.reply_mode = ReplyMode::kOn;
  if (client.close_after_reply || client.kill_requested.load(std::memory_order_relaxed)) {
    c->close_when_drained = true;
  }
  if (client.block_pending) begin_block(c, args);
  // Until AUTH succeeds Redis limits request sizes ("unauthenticated multibulk length").
  c->parser.set_auth_required(acl_auth_required(*w.server, client));
}

// Runs every complete command that c's parser holds, then writes the replies.
void process_input(Connection* c) {
  WorkerLoop& w = *c->w;
  while (!c->close_when_drained && !c->closing) {
    if (w.server->shutdown_requested()) break;
    if (c->client.blocked.load(std::memory_order_relaxed)) break;  // until served or timed out
    if (c->pending_output > kMaxPendingOutput) break;  // resumed from on_written
    protocol::RequestParser::Status st = c->parser.next();
    if (st == protocol::RequestParser::Status::kCommand) {
      run_command(c, c->parser.args());
      if (c->out.size() >= kFlushBytes) flush(c);
      continue;
    }
    if (st == protocol::RequestParser::Status::kError) {
      if (c->parser.error_kind() == protocol::RequestParser::ErrorKind::kQueryBufferLimit) {
        server_log(LogLevel::kWarning,
                   "Closing client that reached max query buffer length: id=" +
                       std::to_string(c->client.id) + " addr=" + c->client.addr);
        close_connection(c);
        return;
      }
      c->out.add_error("ERR " + c->parser.error());
      c->close_when_drained = true;
    }
    break;
  }
  c->client.qbuf.store(c->parser.buffered_bytes(), std::memory_order_relaxed);
  if (c->close_when_drained) stop_reading(c);
  flush(c);
}

void on_read(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
  auto* c = static_cast<Connection*>(s->data);
  if (nread < 0) {  // UV_EOF, ECONNRESET, ...: the client is gone, mid-command or not
    close_connection(c);
    return;
  }
  if (nread == 0 || c->closing || c->close_when_drained) return;
  WorkerLoop& w = *c->w;
  w.ctx->net_input_bytes.fetch_add(static_cast<uint64_t>(nread), std::memory_order_relaxed);
  c->client.last_interaction_ms.store(now_ms(), std::memory_order_relaxed);
  c->parser.feed(buf->base, static_cast<size_t>(nread));
  process_input(c);
}

// "127.0.0.1:port" or "[::1]:port" (Redis compares the peer's address with these two).
bool is_loopback(std::string_view addr) {
  return addr.starts_with("127.0.0.1:") || addr.starts_with("[::1]:");
}

protocol::ParserLimits parser_limits(Server& server) {
  protocol::ParserLimits limits;
  std::lock_guard<std::mutex> g(server.config_lock());
  limits.max_bulk_len = server.config().proto_max_bulk_len;
  limits.max_query_buffer = static_cast<size_t>(server.config().client_query_buffer_limit);
  return limits;
}

}  // namespace

void on_new_connection(uv_stream_t* listener, int status) {
  WorkerLoop& w = *static_cast<WorkerLoop*>(listener->data);
  if (status < 0) {
    server_log(LogLevel::kWarning, std::string("Accepting client connection: ") +
                                       uv_strerror(status));
    return;
  }
  if (w.stopping) return;
  Server& server = *w.server;
  if (w.read_buf.empty()) w.read_buf.resize(kReadBufferBytes);
  auto* c = new Connection(parser_limits(server));
  c->w = &w;
  c->handle.data = c;
  uv_tcp_init(&w.loop, &c->handle);
  link(w, c);
  auto* stream = reinterpret_cast<uv_stream_t*>(&c->handle);
  if (uv_accept(listener, stream) != 0) {
    close_connection(c);
    return;
  }
  int64_t maxclients, keepalive;
  {
    std::lock_guard<std::mutex> g(server.config_lock());
    maxclients = server.config().maxclients;
    keepalive = server.config().tcp_keepalive;
  }
  if (static_cast<int64_t>(server.clients().size()) >= maxclients) {
    // As Redis: one best-effort write of the error, then close.
    uv_buf_t b = uv_buf_init(const_cast<char*>(kMaxClientsError.data()),
                             static_cast<unsigned>(kMaxClientsError.size()));
    uv_try_write(stream, &b, 1);
    server.rejected_connections.fetch_add(1, std::memory_order_relaxed);
    close_connection(c);
    return;
  }
  uv_tcp_nodelay(&c->handle, 1);
  if (keepalive > 0) uv_tcp_keepalive(&c->handle, 1, static_cast<unsigned>(keepalive));

  ClientState& client = c->client;
  client.id = server.clients().next_id();
  client.worker = w.index;
  uv_os_fd_t fd;
  if (uv_fileno(reinterpret_cast<uv_handle_t*>(&c->handle), &fd) == 0) client.fd = fd;
  sockaddr_storage ss;
  int len = sizeof(ss);
  if (uv_tcp_getpeername(&c->handle, reinterpret_cast<sockaddr*>(&ss), &len) == 0) {
    client.addr = format_addr(ss);
  }
  len = sizeof(ss);
  if (uv_tcp_getsockname(&c->handle, reinterpret_cast<sockaddr*>(&ss), &len) == 0) {
    client.laddr = format_addr(ss);
  }
  client.ctime_ms = client.last_interaction_ms = now_ms();
  // Protected mode (Redis 7.0): no password for the default user, so only loopback clients.
  bool protected_mode;
  {
    std::lock_guard<std::mutex> g(server.config_lock());
    protected_mode = server.config().protected_mode;
  }
  if (protected_mode && server.acl().default_nopass() && !is_loopback(client.addr)) {
    uv_buf_t b = uv_buf_init(const_cast<char*>(kProtectedModeError.data()),
                             static_cast<unsigned>(kProtectedModeError.size()));
    uv_try_write(stream, &b, 1);
    close_connection(c);
    return;
  }
  acl_attach_default(server, client);
  c->parser.set_auth_required(acl_auth_required(server, client));
  server.clients().add(&client);
  c->registered = true;
  w.ctx->connections.fetch_add(1, std::memory_order_relaxed);
  server.total_connections_received.fetch_add(1, std::memory_order_relaxed);
  start_reading(c);
}

void close_killed_connections(WorkerLoop& w) {
  for (Connection* c = w.connections; c != nullptr;) {
    Connection* next = c->next;
    if (c->client.kill_requested.load(std::memory_order_relaxed)) close_connection(c);
    c = next;
  }
}

void close_idle_connections(WorkerLoop& w, int64_t now, int64_t timeout_ms) {
  for (Connection* c = w.connections; c != nullptr;) {
    Connection* next = c->next;
    // As Redis, a blocked client is not idle (its own timeout applies).
    if (now - c->client.last_interaction_ms > timeout_ms &&
        !c->client.blocked.load(std::memory_order_relaxed)) {
      close_connection(c);
    }
    c = next;
  }
}

void serve_blocked_clients(WorkerLoop& w) {
  for (Waiter* wt : w.server->blocking.take_ready(w.index)) {
    auto* c = static_cast<Connection*>(wt->owner);
    if (c->closing || !c->client.blocked.load(std::memory_order_relaxed)) continue;
    retry_blocked(c);
  }
}

void close_all_connections(WorkerLoop& w) {
  while (w.connections != nullptr) close_connection(w.connections);
}

void release_held_replies(WorkerLoop& w) {
  if (w.held.empty()) return;
  std::vector<Connection*> ready;
  for (size_t i = 0; i < w.held.size();) {
    Connection* c = w.held[i];
    if (persist::Aof::synced(c->hold_target)) {
      c->held = false;
      w.held[i] = w.held.back();
      w.held.pop_back();
      ready.push_back(c);
    } else {
      ++i;
    }
  }
  for (Connection* c : ready) flush_now(c);
}

}  // namespace stmkv::net
