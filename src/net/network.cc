#include "net/network.h"

#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <algorithm>
#include <cstring>
#include <exception>

#include "net/log.h"
#include "net/worker_loop.h"
#include "persist/aof.h"
#include "server/maintenance.h"
#include "server/server.h"

namespace stmkv::net {

namespace {

constexpr int kBacklog = 511;        // Redis's default tcp-backlog
constexpr uint64_t kCronMs = 100;    // maintenance period
constexpr uint64_t kSlowTicks = 10;  // timeouts and kill sweeps every second
// A private page is re-shared once no commit has written it for kReshareMinAgeMs: pages written
// now and then under load stay private instead of being re-shared and switched back at every
// cron tick (measured: with an age of 1000 revisions, SET -P 16 over 100,000 keys spent 19% of
// the server's time in madvise), and an idle server re-shares everything 2 s after its last
// write (an age counted in revisions never passes while nothing commits).
constexpr uint64_t kReshareMinAgeMs = 2000;

std::string errno_text(int err) { return std::strerror(err); }

// A socket for addr, with SO_REUSEADDR (and SO_REUSEPORT when reuseport), bound; -1 and errno
// on failure.
int bound_socket(const addrinfo& ai, bool reuseport) {
  int fd = socket(ai.ai_family, ai.ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai.ai_protocol);
  if (fd < 0) return -1;
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (reuseport && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) != 0) {
    int err = errno;
    close(fd);
    errno = err;
    return -1;
  }
  if (ai.ai_family == AF_INET6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
  if (bind(fd, ai.ai_addr, ai.ai_addrlen) != 0) {
    int err = errno;
    close(fd);
    errno = err;
    return -1;
  }
  return fd;
}

void on_handle_freed(uv_handle_t* h) { delete reinterpret_cast<uv_tcp_t*>(h); }

// Stops accepting, closes every connection and handle of w: uv_run then returns.
void begin_shutdown(WorkerLoop& w) {
  if (w.stopping) return;
  w.stopping = true;
  for (uv_tcp_t* l : w.listeners) uv_close(reinterpret_cast<uv_handle_t*>(l), on_handle_freed);
  w.listeners.clear();
  close_all_connections(w);
  uv_timer_stop(&w.cron);
  uv_close(reinterpret_cast<uv_handle_t*>(&w.cron), nullptr);
  uv_timer_stop(&w.idle_resize);
  uv_close(reinterpret_cast<uv_handle_t*>(&w.idle_resize), nullptr);
  if (w.index == 0) {
    uv_close(reinterpret_cast<uv_handle_t*>(&w.sigterm), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&w.sigint), nullptr);
  }
  {
    std::lock_guard<std::mutex> g(w.wake_mu);
    w.wake_open = false;
  }
  uv_close(reinterpret_cast<uv_handle_t*>(&w.wake_handle), nullptr);
}

void on_wake(uv_async_t* h) {
  WorkerLoop& w = *static_cast<WorkerLoop*>(h->data);
  if (w.server->shutdown_requested()) {
    begin_shutdown(w);
    return;
  }
  close_killed_connections(w);
  serve_blocked_clients(w);
  release_held_replies(w);
}

constexpr int64_t kIdleResizeSliceUs = 5000;

// A slice of resizing while the worker is idle; re-armed (1 ms later, after the loop has polled
// for input) while work remains and no command arrived.
void on_idle_resize(uv_timer_t* h) {
  WorkerLoop& w = *static_cast<WorkerLoop*>(h->data);
  if (w.stopping) return;
  bool more = false;
  try {
    more = run_idle_resize(*w.ctx, kIdleResizeSliceUs);
  } catch (const std::exception& e) {
    server_log(LogLevel::kWarning, std::string("Maintenance failed: ") + e.what());
  }
  if (more) uv_timer_start(&w.idle_resize, on_idle_resize, 1, 0);
}

void on_cron(uv_timer_t* h) {
  WorkerLoop& w = *static_cast<WorkerLoop*>(h->data);
  if (w.stopping) return;
  Server& server = *w.server;
  ++w.ticks;
  try {
    if (run_maintenance(*w.ctx) && !uv_is_active(reinterpret_cast<uv_handle_t*>(&w.idle_resize))) {
      uv_timer_start(&w.idle_resize, on_idle_resize, 1, 0);
    }
    if (w.index == 0) {
      server.heap().maintain();
      uint64_t last = server.heap().last_revision();
      w.revision_history.push_back(last);
      if (w.revision_history.size() > kReshareMinAgeMs / kCronMs) w.revision_history.pop_front();
      uint64_t age = last - w.revision_history.front();   // revisions of the last 2 s
      size_t marked = server.heap().reshare_cold_pages(age);
      if (marked != 0) {
        server_log(LogLevel::kDebug, "re-sharing " + std::to_string(marked) + " cold pages");
      }
    }
  } catch (const std::exception& e) {
    server_log(LogLevel::kWarning, std::string("Maintenance failed: ") + e.what());
  }
  if (w.ticks % kSlowTicks == 0) {
    int64_t timeout_s;
    {
      std::lock_guard<std::mutex> g(server.config_lock());
      timeout_s = server.config().timeout;
    }
    if (timeout_s > 0) close_idle_connections(w, now_ms(), timeout_s * 1000);
    close_killed_connections(w);
  }
}

void on_signal(uv_signal_t* h, int signum) {
  WorkerLoop& w = *static_cast<WorkerLoop*>(h->data);
  server_log(LogLevel::kWarning, std::string("Received ") +
                                     (signum == SIGINT ? "SIGINT" : "SIGTERM") +
                                     " scheduling shutdown...");
  w.server->request_shutdown();
}

// The worker thread's body.
void run_loop(WorkerLoop& w) {
  w.ctx->loop = &w.loop;
  uv_timer_init(&w.loop, &w.cron);
  w.cron.data = &w;
  uv_timer_start(&w.cron, on_cron, kCronMs, kCronMs);
  uv_timer_init(&w.loop, &w.idle_resize);
  w.idle_resize.data = &w;
  if (w.index == 0) {
    uv_signal_init(&w.loop, &w.sigterm);
    uv_signal_init(&w.loop, &w.sigint);
    w.sigterm.data = w.sigint.data = &w;
    uv_signal_start(&w.sigterm, on_signal, SIGTERM);
    uv_signal_start(&w.sigint, on_signal, SIGINT);
    // main() blocks both before the workers start; only this thread takes them, through libuv.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
  }
  for (int fd : w.listen_fds) {
    auto* l = new uv_tcp_t;
    uv_tcp_init(&w.loop, l);
    l->data = &w;
    int r = uv_tcp_open(l, fd);
    if (r == 0) r = uv_listen(reinterpret_cast<uv_stream_t*>(l), kBacklog, on_new_connection);
    if (r != 0) {
      server_log(LogLevel::kWarning, std::string("Listening failed: ") + uv_strerror(r));
      uv_close(reinterpret_cast<uv_handle_t*>(l), on_handle_freed);
      continue;
    }
    w.listeners.push_back(l);
  }
  w.listen_fds.clear();  // owned by the handles now
  if (w.server->shutdown_requested()) begin_shutdown(w);
  uv_run(&w.loop, UV_RUN_DEFAULT);
  if (uv_loop_close(&w.loop) == UV_EBUSY) {
    uv_walk(
        &w.loop,
        [](uv_handle_t* h, void*) {
          if (!uv_is_closing(h)) uv_close(h, nullptr);
        },
        nullptr);
    uv_run(&w.loop, UV_RUN_DEFAULT);
    uv_loop_close(&w.loop);
  }
  w.ctx->loop = nullptr;
}

}  // namespace

Network::Network(Server& server) : server_(server) {
  for (int i = 0; i < server.nworkers(); ++i) {
    auto w = std::make_unique<WorkerLoop>();
    w->server = &server;
    w->ctx = &server.worker(i);
    w->index = i;
    uv_loop_init(&w->loop);
    uv_async_init(&w->loop, &w->wake_handle, on_wake);
    w->wake_handle.data = w.get();
    w->wake_open = true;
    loops_.push_back(std::move(w));
  }
}

Network::~Network() {
  join();
  for (auto& w : loops_) {
    for (int fd : w->listen_fds) close(fd);  // never started
    if (w->wake_open) {                      // never started: close the loop here
      w->wake_open = false;
      uv_close(reinterpret_cast<uv_handle_t*>(&w->wake_handle), nullptr);
      uv_run(&w->loop, UV_RUN_DEFAULT);
      uv_loop_close(&w->loop);
    }
  }
}

std::optional<std::string> Network::listen() {
  std::vector<std::string> bind;
  int port;
  {
    std::lock_guard<std::mutex> g(server_.config_lock());
    bind = server_.config().bind;
    port = server_.config().port;
  }
  if (port == 0) return std::nullopt;
  int listening = 0;
  std::string errors;
  for (std::string addr : bind) {
    bool optional = !addr.empty() && addr[0] == '-';
    if (optional) addr.erase(0, 1);
    std::string host = addr == "*" ? "0.0.0.0" : addr == "::*" ? "::" : addr;
    std::string where = addr + ":" + std::to_string(port);
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    addrinfo* res = nullptr;
    std::string port_text = std::to_string(port);
    if (int rc = getaddrinfo(host.c_str(), port_text.c_str(), &hints, &res); rc != 0) {
      errors += "Warning: Could not create server TCP listening socket " + where + ": " +
                gai_strerror(rc) + "\n";
      if (!optional) return errors + "Failed listening on port " + port_text + " (tcp), aborting.";
      continue;
    }
    // Probe: a plain bind fails if any other socket holds the port (SO_REUSEPORT would share).
    int probe = bound_socket(*res, false);
    if (probe < 0) {
      int err = errno;
      freeaddrinfo(res);
      errors += "Warning: Could not create server TCP listening socket " + where + ": bind: " +
                errno_text(err) + "\n";
      if (optional && (err == EADDRNOTAVAIL || err == EAFNOSUPPORT || err == EPROTONOSUPPORT ||
                       err == ESOCKTNOSUPPORT || err == EPFNOSUPPORT || err == EPROTOTYPE)) {
        continue;
      }
      return errors + "Failed listening on port " + port_text + " (tcp), aborting.";
    }
    close(probe);
    for (auto& w : loops_) {
      int fd = bound_socket(*res, true);
      if (fd < 0 || ::listen(fd, kBacklog) != 0) {
        int err = errno;
        if (fd >= 0) close(fd);
        freeaddrinfo(res);
        return errors + "Warning: Could not create server TCP listening socket " + where +
               ": " + errno_text(err) + "\nFailed listening on port " + port_text +
               " (tcp), aborting.";
      }
      w->listen_fds.push_back(fd);
    }
    freeaddrinfo(res);
    ++listening;
  }
  if (listening == 0 && !bind.empty()) {
    return errors + "Failed listening on port " + std::to_string(port) + " (tcp), aborting.";
  }
  return std::nullopt;
}

void Network::start() {
  server_.wake_worker = [this](int i) {
    if (i >= 0 && i < static_cast<int>(loops_.size())) loops_[i]->wake();
  };
  server_.blocking.set_waker(server_.wake_worker);
  // appendfsync always: replies held until the AOF is fsynced (persist/aof.h).
  persist::Aof::set_waker([this] {
    for (auto& w : loops_) w->wake();
  });
  for (auto& w : loops_) {
    WorkerLoop* p = w.get();
    p->thread = std::thread([p] { run_loop(*p); });
  }
}

void Network::join() {
  bool joined = false;
  for (auto& w : loops_) {
    if (w->thread.joinable()) {
      w->thread.join();
      joined = true;
    }
  }
  if (joined) {
    persist::Aof::set_waker(nullptr);
    server_.blocking.set_waker(nullptr);
    server_.wake_worker = nullptr;
  }
}

}  // namespace stmkv::net
