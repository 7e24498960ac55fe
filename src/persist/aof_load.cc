#include "persist/aof_load.h"

#include "commands/util.h"
#include "ds/keyspace.h"
#include "protocol/reply_writer.h"
#include "server/client.h"
#include "server/command_table.h"
#include "server/dispatch.h"
#include "server/server.h"

namespace stmkv::persist {

namespace {

// Reads "<prefix><integer>\r\n" at *pos.
AofParse read_number(std::string_view data, size_t* pos, char prefix, int64_t* out) {
  if (*pos >= data.size()) return AofParse::kTruncated;
  if (data[*pos] != prefix) return AofParse::kBadFormat;
  size_t end = data.find("\r\n", *pos + 1);
  if (end == std::string_view::npos) {
    // Digits and maybe a lone '\r' until the end: cut off; anything else is not a number.
    for (size_t i = *pos + 1; i < data.size(); ++i) {
      if (!(isdigit(static_cast<unsigned char>(data[i])) || data[i] == '-' ||
            (data[i] == '\r' && i + 1 == data.size()))) {
        return AofParse::kBadFormat;
      }
    }
    return AofParse::kTruncated;
  }
  int64_t v = 0;
  size_t i = *pos + 1;
  if (i == end) return AofParse::kBadFormat;
  for (; i < end; ++i) {
    if (!isdigit(static_cast<unsigned char>(data[i])) || v > (int64_t{1} << 50)) {
      return AofParse::kBadFormat;
    }
    v = v * 10 + (data[i] - '0');
  }
  *out = v;
  *pos = end + 2;
  return AofParse::kCommand;
}

}  // namespace

AofParse next_aof_command(std::string_view data, size_t* pos,
                          std::vector<std::string_view>* argv) {
  argv->clear();
  size_t p = *pos;
  // Annotations ("#TS:...") are whole lines.
  while (p < data.size() && data[p] == '#') {
    size_t end = data.find('\n', p);
    if (end == std::string_view::npos) return AofParse::kTruncated;
    p = end + 1;
    *pos = p;
  }
  if (p >= data.size()) return AofParse::kEnd;
  int64_t argc;
  if (AofParse r = read_number(data, &p, '*', &argc); r != AofParse::kCommand) return r;
  if (argc < 1) return AofParse::kBadFormat;
  for (int64_t i = 0; i < argc; ++i) {
    int64_t len;
    if (AofParse r = read_number(data, &p, '$', &len); r != AofParse::kCommand) return r;
    if (data.size() - p < static_cast<size_t>(len) + 2) return AofParse::kTruncated;
    if (data[p + size_t(len)] != '\r' || data[p + size_t(len) + 1] != '\n') {
      return AofParse::kBadFormat;
    }
    argv->push_back(data.substr(p, static_cast<size_t>(len)));
    p += static_cast<size_t>(len) + 2;
  }
  *pos = p;
  return AofParse::kCommand;
}

AofReplay replay_aof(Server& server, WorkerContext& w, std::string_view data,
                     const std::string& name) {
  AofReplay r;
  ClientState client;
  client.id = server.clients().next_id();
  client.worker = w.index;
  client.addr = "";
  client.laddr = "";
  client.authenticated = true;
  server.clients().add(&client);
  std::vector<std::string_view> argv;
  size_t pos = 0;
  size_t valid_before_multi = 0;
  bool in_multi = false;
  const CommandTable& table = CommandTable::instance();
  protocol::ReplyWriter out(2);
  // No key expires during the replay (Redis's server.loading): the records that follow a key's
  // expire time must still find it, and the AOF's DEL records remove it when it went
  // (ds/keyspace.h set_expiry_paused; server/effects.h).
  set_expiry_paused(true);
  while (true) {
    size_t start = pos;
    AofParse st = next_aof_command(data, &pos, &argv);
    if (st == AofParse::kEnd) break;
    if (st == AofParse::kTruncated) {
      r.truncated = true;
      break;
    }
    if (st == AofParse::kBadFormat) {
      r.error = "Bad file format reading the append only file " + name +
                ": make a backup of your AOF file, then use ./redis-check-aof --fix "
                "<filename.manifest>";
      break;
    }
    if (table.find(argv[0]) == nullptr) {
      r.error = "Unknown command '" + std::string(argv[0]) + "' reading the append only file " +
                name;
      break;
    }
    bool is_multi = argv.size() == 1 && iequals(argv[0], "multi");
    bool is_exec = argv.size() == 1 && iequals(argv[0], "exec");
    if (is_multi) {
      in_multi = true;
      valid_before_multi = start;
    }
    out.clear();
    execute_command(w, client, std::span<const std::string_view>(argv), out);
    ++r.commands;
    if (is_exec) in_multi = false;
    if (!in_multi) r.valid_up_to = pos;
  }
  if (in_multi) {
    // A block without its EXEC: nothing of it was applied (the commands are only queued).
    std::string_view discard[] = {"DISCARD"};
    out.clear();
    execute_command(w, client, std::span<const std::string_view>(discard), out);
    r.valid_up_to = valid_before_multi;
    if (!r.error) r.truncated = true;
  }
  set_expiry_paused(false);
  server.clients().remove(&client);
  return r;
}

}  // namespace stmkv::persist
