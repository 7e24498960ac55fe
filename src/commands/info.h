// commands/info.h — the text of INFO (Redis 7.0's genRedisInfoString) and the helpers the
// server-side families share: glob matching as CONFIG GET / COMMAND LIST use it, CLIENT LIST
// lines, and resetting statistics.
//
// All functions run on the calling worker's thread, outside any transaction (INFO's keyspace
// section runs its own read-only transaction on ctx.worker).
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "server/client.h"
#include "server/command.h"
#include "server/server.h"

namespace stmkv {

// The INFO reply text for the requested section names (case-insensitive; empty = the default
// sections; "all" = every section but modules; "everything" = all + modules). Sections appear
// in Redis's order, each "# Name\r\n" followed by "key:value\r\n" lines, separated by "\r\n".
// Unknown names contribute nothing.
std::string build_info(CommandContext& ctx, std::span<const std::string_view> sections);

// Redis's stringmatchlen with nocase = 1: glob with *, ?, [...] (ranges, ^ negation) and
// backslash escapes; case-insensitive.
bool glob_match_nocase(std::string_view pattern, std::string_view s);

// One CLIENT LIST line for c (without the trailing "\n"), in Redis 7.0's field order plus our
// own "worker=N" at the end. Caller holds server.clients().lock() (or owns c).
std::string client_info_line(const Server& server, const ClientState& c, int64_t now_ms);

// Zeroes the statistics INFO reports (CONFIG RESETSTAT): command counters, keyspace hits and
// misses, expired keys, network bytes, connections received, and the engine's counters.
void reset_info_stats(Server& server);

// One argument of COMMAND DOCS, as Redis 7.0 describes it (name, type, token, flags, nested
// arguments of "oneof" and "block").
struct DocArg {
  std::string name;
  std::string type;   // key, string, integer, double, pattern, unix-time, pure-token, oneof, block
  std::string token;  // the literal word that introduces the argument ("EX"), or empty
  bool optional = false;
  bool multiple = false;
  bool multiple_token = false;  // the token repeats with each repetition
  std::vector<DocArg> args;     // oneof / block
};

// Parses a CommandSpec::syntax in Redis's help notation ("key value [NX|XX] [EX seconds|
// PX milliseconds]", "key [key ...]", "[LIMIT offset count]") into COMMAND DOCS arguments.
// UPPERCASE words are tokens, lowercase words named arguments whose type follows the name.
std::vector<DocArg> parse_doc_syntax(std::string_view syntax);

// Renders arguments back to help notation exactly as redis-cli 7.0 builds its hints from
// COMMAND DOCS (render(parse(s)) == s for every syntax in the table).
std::string render_doc_args(const std::vector<DocArg>& args);

}  // namespace stmkv
