// server/client.h — what the server knows about one client connection.
//
// A ClientState belongs to the worker thread that owns the connection: only that thread reads
// or writes it, except the fields marked atomic (read by CLIENT LIST / CLIENT KILL from other
// workers through the ClientRegistry). id, worker, fd, addr, laddr and ctime_ms are set before
// the client is added to the registry and not changed after. CLIENT LIST reads the fields in the
// "under lock" group while holding ClientRegistry::lock(); the owner writes them under it.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "server/multi.h"

namespace stmkv {

enum class ReplyMode { kOn, kOff, kSkip };

struct AclUser;  // server/acl.h

struct ClientState {
  uint64_t id = 0;          // CLIENT ID: unique, increasing
  int worker = 0;           // index of the owning worker
  int fd = -1;
  std::string addr;         // "ip:port" of the peer
  std::string laddr;        // "ip:port" of our side
  int64_t ctime_ms = 0;     // connection time
  std::atomic<int64_t> last_interaction_ms{0};  // written by the net layer on each read

  // Under lock:
  int db = 0;               // SELECTed database
  int resp = 2;             // protocol version (HELLO)
  std::string name;         // CLIENT SETNAME
  std::string lib_name;     // CLIENT SETINFO LIB-NAME
  std::string lib_ver;      // CLIENT SETINFO LIB-VER
  bool no_evict = false;    // CLIENT NO-EVICT
  std::string last_command;  // lowercase full name of the last command ("client|list")

  // Owner only:
  ReplyMode reply_mode = ReplyMode::kOn;
  MultiState multi;         // MULTI queue and WATCHed keys
  // CLIENT LIST multi=: commands queued while in MULTI, -1 outside (written by the owner).
  std::atomic<int> multi_listed{-1};

  // ACL (server/acl.h). Owner only, except `user`, which the owner replaces under lock (CLIENT
  // LIST reads its name): the user the client runs as (null until the first command or the
  // connection's set-up attaches the default user), whether it has authenticated (or needed
  // not), and the Acl version that `user` was read at.
  std::shared_ptr<const AclUser> user;
  bool authenticated = false;
  uint64_t acl_version = 0;

  // Set by the dispatcher; acted upon by the connection after the reply is written.
  bool close_after_reply = false;   // QUIT, protocol errors
  // Set by any thread (CLIENT KILL); the owning worker closes the connection.
  std::atomic<bool> kill_requested{false};

  // Blocking commands (server/blocking.h). Owner only, except `blocked`.
  bool block_pending = false;        // set when a blocking command commits without data
  std::vector<std::string> block_keys;
  int64_t block_timeout_ms = 0;      // relative; 0 = forever
  bool block_null_array = true;      // the timeout reply: null array, else null bulk string
  bool block_retry = false;          // re-running the command of a woken blocked client
  std::atomic<bool> blocked{false};  // waiting on keys (CLIENT LIST flags=b)

  // Output/input sizes for CLIENT LIST (maintained by the connection).
  std::atomic<uint64_t> qbuf{0};
  std::atomic<uint64_t> omem{0};
};

}  // namespace stmkv
