// net/worker_loop.h — one worker thread's event loop (internal to the net layer).
//
// Every WorkerLoop runs its own uv_loop_t on its own thread and owns the connections it
// accepted; only that thread touches them. Other threads reach it only through wake().
#pragma once

#include <uv.h>

#include <cstdint>
#include <deque>
#include <mutex>
#include <string_view>
#include <thread>
#include <vector>

namespace stmkv {
class Server;
struct WorkerContext;
}  // namespace stmkv

namespace stmkv::net {

struct Connection;

struct WorkerLoop {
  Server* server = nullptr;
  WorkerContext* ctx = nullptr;
  int index = 0;

  uv_loop_t loop;
  uv_async_t wake_handle;  // woken by other threads: kill flags, shutdown
  uv_timer_t cron;         // maintenance (100 ms) and idle-client timeouts
  uv_timer_t idle_resize;  // resize slices while idle (server/maintenance.h run_idle_resize)
  uv_signal_t sigterm;     // worker 0 only
  uv_signal_t sigint;      // worker 0 only
  std::vector<int> listen_fds;        // listening sockets (SO_REUSEPORT), opened by Network
  std::vector<uv_tcp_t*> listeners;   // the same, as libuv handles (loop thread)
  Connection* connections = nullptr;  // intrusive list of this worker's connections
  // Connections whose replies wait for the AOF's fsync (appendfsync always, persist/aof.h).
  std::vector<Connection*> held;
  uint64_t ticks = 0;
  bool stopping = false;
  // Worker 0: the heap's last commit revision at each of the last cron ticks (oldest first),
  // to tell how many revisions a page must be unwritten for to count as cold.
  std::deque<uint64_t> revision_history;

  // Scratch space reused by every read (the parser copies what it is fed).
  std::vector<char> read_buf;
  std::vector<std::string_view> argv;

  // wake() may race with the loop closing wake_handle at shutdown: both hold wake_mu.
  std::mutex wake_mu;
  bool wake_open = false;

  std::thread thread;

  // Thread-safe: makes the loop run on_wake soon. No-op once the loop has stopped.
  void wake() {
    std::lock_guard<std::mutex> g(wake_mu);
    if (wake_open) uv_async_send(&wake_handle);
  }
};

// connection.cc: called on the worker's thread.
void on_new_connection(uv_stream_t* listener, int status);  // listener->data = WorkerLoop*
void close_killed_connections(WorkerLoop& w);
void close_idle_connections(WorkerLoop& w, int64_t now_ms, int64_t timeout_ms);
void close_all_connections(WorkerLoop& w);
// Re-runs the commands of this worker's blocked clients whose keys were signalled.
void serve_blocked_clients(WorkerLoop& w);
// Sends the held replies whose AOF records are fsynced (appendfsync always).
void release_held_replies(WorkerLoop& w);

}  // namespace stmkv::net
