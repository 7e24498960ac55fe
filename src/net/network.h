// net/network.h — the network layer: N worker threads, each running its own libuv loop and
// serving the connections it accepted.
//
// Accept distribution: every worker listens on its own socket for each bind address, all bound
// to the same port with SO_REUSEPORT, so the kernel spreads new connections over the workers
// and no connection ever changes thread. (Before binding, a probe bind without SO_REUSEPORT
// checks that no other process holds the port, which SO_REUSEPORT alone would not report.)
//
// Each worker loop also runs: a uv_async that other threads use to wake it (Server::wake_worker:
// CLIENT KILL, SHUTDOWN), a 100 ms timer for run_maintenance() (server/maintenance.h), the STM
// heap's maintenance (worker 0) and idle-client timeouts, and on worker 0 the SIGTERM/SIGINT
// handlers, which call Server::request_shutdown(). On shutdown every loop closes its listeners
// and its connections and returns.
//
// Thread-safety: Network's methods are called from the main thread only.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace stmkv {
class Server;
}

namespace stmkv::net {

struct WorkerLoop;

class Network {
 public:
  explicit Network(Server& server);
  ~Network();
  Network(const Network&) = delete;
  Network& operator=(const Network&) = delete;

  // Opens the listening sockets: every address of config.bind (a leading '-' marks an address
  // that may be unavailable; '*' is 0.0.0.0, '::*' is ::) on config.port; nothing when the port
  // is 0. Returns nullopt, or the message to log before exiting (as redis-server's).
  std::optional<std::string> listen();

  // Starts the worker threads and installs server.wake_worker. Returns at once. The caller
  // blocks SIGTERM and SIGINT (pthread_sigmask) first: the threads inherit the mask and worker 0
  // alone unblocks them once its handlers are installed.
  void start();

  // Blocks until every worker loop has stopped (after Server::request_shutdown()).
  void join();

 private:
  Server& server_;
  std::vector<std::unique_ptr<WorkerLoop>> loops_;
};

}  // namespace stmkv::net
