// persist/aof_load.h — reading AOF files: the command stream (RESP arrays, `#` annotation lines
// skipped, as Redis 7.0) and its replay through the dispatcher by an internal client.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace stmkv {
class Server;
struct WorkerContext;
}  // namespace stmkv

namespace stmkv::persist {

enum class AofParse { kCommand, kEnd, kTruncated, kBadFormat };
// Reads the command at *pos of data into argv (views into data) and advances *pos past it.
// kEnd at the end of data; kTruncated when data ends inside a command; kBadFormat otherwise.
AofParse next_aof_command(std::string_view data, size_t* pos, std::vector<std::string_view>* argv);

struct AofReplay {
  std::optional<std::string> error;  // a fatal error (bad format, unknown command)
  bool truncated = false;            // data ends inside a command or a MULTI block
  size_t valid_up_to = 0;            // offset after the last complete command or EXEC
  uint64_t commands = 0;             // commands replayed
};
// Replays data (the bytes of AOF file `name`) on worker w as an internal client: SELECT, MULTI
// ... EXEC handled by the dispatcher; a MULTI block cut off by the end of data is discarded.
// Error replies of commands are ignored (as Redis); an unknown command is fatal.
AofReplay replay_aof(Server& server, WorkerContext& w, std::string_view data,
                     const std::string& name);

}  // namespace stmkv::persist
