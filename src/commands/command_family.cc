// commands/command_family.cc — COMMAND and its subcommands (COUNT, LIST, INFO, DOCS, GETKEYS,
// HELP), served from the command table; COMMAND DOCS arguments are derived from each
// CommandSpec::syntax.
#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include "commands/info.h"
#include "commands/util.h"
#include "server/command_table.h"
#include "server/server.h"

namespace stmkv {

namespace {

// --- Syntax parsing ---

bool is_token_word(std::string_view w) {
  bool upper = false;
  for (char c : w) {
    if (std::islower(static_cast<unsigned char>(c))) return false;
    if (std::isupper(static_cast<unsigned char>(c))) upper = true;
  }
  return upper;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string infer_type(std::string_view name) {
  static constexpr std::string_view kKeys[] = {"key",    "destination", "source",
                                               "newkey", "destkey",     "sourcekey"};
  static constexpr std::string_view kIntegers[] = {
      "count",     "seconds",   "milliseconds", "offset",      "index", "start",
      "end",       "stop",      "numkeys",      "db",          "limit", "port",
      "increment", "decrement", "len",          "numreplicas", "ttl",   "samples",
      "delta",     "number",    "client-id",    "protover",    "bit",   "maxlen"};
  static constexpr std::string_view kDoubles[] = {"score",  "timeout", "longitude", "latitude",
                                                  "radius", "width",   "height"};
  if (std::find(std::begin(kKeys), std::end(kKeys), name) != std::end(kKeys)) return "key";
  if (std::find(std::begin(kIntegers), std::end(kIntegers), name) != std::end(kIntegers)) {
    return "integer";
  }
  if (std::find(std::begin(kDoubles), std::end(kDoubles), name) != std::end(kDoubles)) {
    return "double";
  }
  if (name == "pattern") return "pattern";
  if (name.starts_with("unix-time")) return "unix-time";
  return "string";
}

std::vector<std::string> tokenize(std::string_view s) {
  std::vector<std::string> out;
  std::string cur;
  auto flush = [&] {
    if (!cur.empty()) out.push_back(std::move(cur));
    cur.clear();
  };
  for (char c : s) {
    if (c == ' ' || c == '\t') {
      flush();
    } else if (c == '[' || c == ']' || c == '(' || c == ')' || c == '|') {
      flush();
      out.emplace_back(1, c);
    } else {
      cur += c;
    }
  }
  flush();
  return out;
}

bool plain_token(const DocArg& a) { return a.type == "pure-token" && !a.optional && !a.multiple; }

// A sequence of arguments as one argument: TOKEN arg -> arg with a token; several -> a block.
DocArg combine(std::vector<DocArg> items) {
  if (items.size() == 1) return std::move(items[0]);
  if (items.size() == 2 && plain_token(items[0]) && items[1].token.empty()) {
    DocArg a = std::move(items[1]);
    a.token = items[0].token;
    if (a.type == "oneof" || a.type == "block") a.name = lower(a.token);
    return a;
  }
  DocArg b;
  b.type = "block";
  size_t from = 0;
  if (items.size() > 2 && plain_token(items[0])) {
    b.token = items[0].token;
    b.name = lower(b.token);
    from = 1;
  }
  for (size_t i = from; i < items.size(); ++i) {
    if (b.token.empty()) b.name += (b.name.empty() ? "" : "_") + items[i].name;
    b.args.push_back(std::move(items[i]));
  }
  return b;
}

DocArg make_oneof(std::vector<DocArg> alts) {
  DocArg o;
  o.type = "oneof";
  for (DocArg& a : alts) {
    o.name += (o.name.empty() ? "" : "_") + a.name;
    o.args.push_back(std::move(a));
  }
  return o;
}

using Alternatives = std::vector<std::vector<DocArg>>;

// "TYPE NORMAL|MASTER" reads as TYPE (NORMAL|MASTER): when every alternative after the first is
// one bare token and the first ends in one, the alternatives are that last token and the rest.
std::vector<DocArg> resolve(Alternatives alts) {
  if (alts.size() == 1) return std::move(alts[0]);
  std::vector<DocArg> seq;
  bool tail_tokens = alts[0].size() >= 2 && plain_token(alts[0].back());
  for (size_t i = 1; i < alts.size() && tail_tokens; ++i) {
    tail_tokens = alts[i].size() == 1 && plain_token(alts[i][0]);
  }
  std::vector<DocArg> choices;
  if (tail_tokens) {
    seq.assign(std::make_move_iterator(alts[0].begin()),
               std::make_move_iterator(alts[0].end() - 1));
    choices.push_back(std::move(alts[0].back()));
    for (size_t i = 1; i < alts.size(); ++i) choices.push_back(std::move(alts[i][0]));
  } else {
    for (auto& alt : alts) {
      if (!alt.empty()) choices.push_back(combine(std::move(alt)));
    }
  }
  seq.push_back(make_oneof(std::move(choices)));
  return seq;
}

std::string render_arg(const DocArg& a);

std::string render_list(const std::vector<DocArg>& args, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < args.size(); ++i) {
    if (i) out.append(sep);
    out += render_arg(args[i]);
  }
  return out;
}

// redis-cli 7.0's cliAddArgument.
std::string render_arg(const DocArg& a) {
  std::string repeat;
  if (a.type == "oneof") {
    repeat = render_list(a.args, "|");
  } else if (a.type == "block") {
    repeat = render_list(a.args, " ");
  } else if (a.type != "pure-token") {
    repeat = a.name;
  }
  std::string token = a.token;
  if (!token.empty() && a.type != "pure-token") token += ' ';
  std::string out;
  if (a.optional) out += '[';
  out += token + repeat;
  if (a.multiple) out += " [" + (a.multiple_token ? token : std::string()) + repeat + " ...]";
  if (a.optional) out += ']';
  return out;
}

// "x y [x y ...]": the repeated items merge with the same items just before them.
void apply_repeat(std::vector<DocArg>& seq, std::vector<DocArg> items, bool optional) {
  size_t k = items.size();
  if (k != 0 && seq.size() >= k) {
    std::vector<DocArg> tail(seq.end() - static_cast<ptrdiff_t>(k), seq.end());
    if (render_list(tail, " ") == render_list(items, " ")) {
      seq.resize(seq.size() - k);
      DocArg m = combine(std::move(tail));
      m.multiple = true;
      m.multiple_token =
          !m.token.empty() && m.type != "pure-token" && k > 1 && plain_token(items[0]);
      if (!m.multiple_token && m.type == "pure-token") m.multiple_token = true;
      seq.push_back(std::move(m));
      return;
    }
  }
  DocArg m = combine(std::move(items));
  m.multiple = true;
  m.optional = optional;
  seq.push_back(std::move(m));
}

Alternatives parse_alts(const std::vector<std::string>& toks, size_t& pos, bool* repeat) {
  Alternatives alts(1);
  while (pos < toks.size()) {
    const std::string& t = toks[pos];
    if (t == "]" || t == ")") break;
    pos++;
    if (t == "|") {
      alts.emplace_back();
    } else if (t == "[" || t == "(") {
      bool rep = false;
      Alternatives inner = parse_alts(toks, pos, &rep);
      if (pos < toks.size()) pos++;  // the closing bracket
      if (rep && inner.size() == 1) {
        apply_repeat(alts.back(), std::move(inner[0]), t == "[");
      } else {
        std::vector<DocArg> seq = resolve(std::move(inner));
        if (seq.empty()) continue;
        DocArg a = combine(std::move(seq));
        if (t == "[") a.optional = true;
        alts.back().push_back(std::move(a));
      }
    } else if (t == "...") {
      *repeat = true;
    } else {
      DocArg a;
      if (is_token_word(t)) {
        a.type = "pure-token";
        a.token = t;
        a.name = lower(t);
      } else {
        a.name = t;
        a.type = infer_type(t);
      }
      alts.back().push_back(std::move(a));
    }
  }
  return alts;
}

// --- Replies ---

constexpr std::pair<uint32_t, std::string_view> kFlagNames[] = {
    {kCmdWrite, "write"},
    {kCmdReadonly, "readonly"},
    {kCmdDenyOom, "denyoom"},
    {kCmdAdmin, "admin"},
    {kCmdPubsub, "pubsub"},
    {kCmdNoscript, "noscript"},
    {kCmdBlocking, "blocking"},
    {kCmdLoading, "loading"},
    {kCmdStale, "stale"},
    {kCmdSkipMonitor, "skip_monitor"},
    {kCmdSkipSlowlog, "skip_slowlog"},
    {kCmdFast, "fast"},
    {kCmdNoAuth, "no_auth"},
    {kCmdMayReplicate, "may_replicate"},
    {kCmdSentinel, "sentinel"},
    {kCmdNoMulti, "no_multi"},
    {kCmdAllowBusy, "allow_busy"},
    {kCmdMovableKeys, "movablekeys"},
};

void add_key_value(protocol::ReplyWriter& out, std::string_view k, long long v) {
  out.add_bulk(k);
  out.add_integer(v);
}

void add_command_info(protocol::ReplyWriter& out, const CommandSpec& spec) {
  out.add_array_len(10);
  out.add_bulk(spec.full_name);
  out.add_integer(spec.arity);
  size_t nflags = 0;
  for (auto& [bit, name] : kFlagNames) nflags += (spec.flags & bit) ? 1 : 0;
  out.add_set_len(nflags);
  for (auto& [bit, name] : kFlagNames) {
    if (spec.flags & bit) out.add_simple_string(name);
  }
  out.add_integer(spec.first_key);
  out.add_integer(spec.last_key);
  out.add_integer(spec.key_step);
  auto cats = acl_category_names();
  size_t ncats = 0;
  for (size_t i = 0; i < cats.size(); ++i) ncats += (spec.acl >> i) & 1;
  out.add_set_len(ncats);
  for (size_t i = 0; i < cats.size(); ++i) {
    if ((spec.acl >> i) & 1) out.add_simple_string("@" + std::string(cats[i]));
  }
  out.add_set_len(0);  // tips
  if (spec.first_key > 0) {
    out.add_set_len(1);
    out.add_map_len(3);
    out.add_bulk("flags");
    if (spec.flags & kCmdWrite) {
      out.add_set_len(2);
      out.add_simple_string("RW");
      out.add_simple_string("update");
    } else {
      out.add_set_len(2);
      out.add_simple_string("RO");
      out.add_simple_string("access");
    }
    out.add_bulk("begin_search");
    out.add_map_len(2);
    out.add_bulk("type");
    out.add_bulk("index");
    out.add_bulk("spec");
    out.add_map_len(1);
    add_key_value(out, "index", spec.first_key);
    out.add_bulk("find_keys");
    out.add_map_len(2);
    out.add_bulk("type");
    out.add_bulk("range");
    out.add_bulk("spec");
    out.add_map_len(3);
    add_key_value(out, "lastkey",
                  spec.last_key < 0 ? spec.last_key : spec.last_key - spec.first_key);
    add_key_value(out, "keystep", spec.key_step);
    add_key_value(out, "limit", 0);
  } else {
    out.add_set_len(0);
  }
  out.add_set_len(spec.subcommands.size());
  for (const CommandSpec& sub : spec.subcommands) add_command_info(out, sub);
}

void add_doc_arg(protocol::ReplyWriter& out, const DocArg& a) {
  bool is_key = a.type == "key";
  size_t nflags = (a.optional ? 1 : 0) + (a.multiple ? 1 : 0) + (a.multiple_token ? 1 : 0);
  size_t n = 2 + (is_key ? 1 : 0) + (a.token.empty() ? 0 : 1) + (nflags ? 1 : 0) +
             (a.args.empty() ? 0 : 1);
  out.add_map_len(n);
  out.add_bulk("name");
  out.add_bulk(a.name);
  out.add_bulk("type");
  out.add_bulk(a.type);
  if (is_key) add_key_value(out, "key_spec_index", 0);
  if (!a.token.empty()) {
    out.add_bulk("token");
    out.add_bulk(a.token);
  }
  if (nflags) {
    out.add_bulk("flags");
    out.add_set_len(nflags);
    if (a.optional) out.add_simple_string("optional");
    if (a.multiple) out.add_simple_string("multiple");
    if (a.multiple_token) out.add_simple_string("multiple_token");
  }
  if (!a.args.empty()) {
    out.add_bulk("arguments");
    out.add_array_len(a.args.size());
    for (const DocArg& c : a.args) add_doc_arg(out, c);
  }
}

void add_command_docs(protocol::ReplyWriter& out, const CommandSpec& spec,
                      std::string_view parent_group) {
  std::vector<DocArg> args = parse_doc_syntax(spec.syntax);
  out.add_map_len(4 + (args.empty() ? 0 : 1) + (spec.subcommands.empty() ? 0 : 1));
  out.add_bulk("summary");
  out.add_bulk(spec.summary);
  out.add_bulk("since");
  out.add_bulk(spec.since);
  out.add_bulk("group");
  out.add_bulk(spec.group.empty() ? parent_group : spec.group);
  out.add_bulk("complexity");
  out.add_bulk(spec.complexity);
  if (!args.empty()) {
    out.add_bulk("arguments");
    out.add_array_len(args.size());
    for (const DocArg& a : args) add_doc_arg(out, a);
  }
  if (!spec.subcommands.empty()) {
    out.add_bulk("subcommands");
    out.add_map_len(spec.subcommands.size());
    for (const CommandSpec& sub : spec.subcommands) {
      out.add_bulk(sub.full_name);
      add_command_docs(out, sub, spec.group);
    }
  }
}

// A command by name, "container|sub" for a subcommand; nullptr when unknown.
const CommandSpec* lookup_full_name(const CommandTable& table, std::string_view name) {
  size_t bar = name.find('|');
  if (bar == std::string_view::npos) return table.find(name);
  const CommandSpec* parent = table.find(name.substr(0, bar));
  if (parent == nullptr) return nullptr;
  return CommandTable::find_sub(*parent, name.substr(bar + 1));
}

void cmd_command(CommandContext& ctx) {
  const auto& all = ctx.server.commands().all();
  ctx.out.add_array_len(all.size());
  for (const auto& spec : all) add_command_info(ctx.out, *spec);
}

void cmd_command_count(CommandContext& ctx) {
  ctx.out.add_integer(static_cast<long long>(ctx.server.commands().all().size()));
}

void cmd_command_info(CommandContext& ctx) {
  const CommandTable& table = ctx.server.commands();
  if (ctx.argc() == 2) {
    cmd_command(ctx);
    return;
  }
  ctx.out.add_array_len(ctx.argc() - 2);
  for (size_t j = 2; j < ctx.argc(); ++j) {
    const CommandSpec* spec = lookup_full_name(table, ctx.arg(j));
    if (spec == nullptr) {
      ctx.out.add_null_array();
    } else {
      add_command_info(ctx.out, *spec);
    }
  }
}

void cmd_command_docs(CommandContext& ctx) {
  const CommandTable& table = ctx.server.commands();
  std::vector<const CommandSpec*> specs;
  if (ctx.argc() == 2) {
    for (const auto& spec : table.all()) specs.push_back(spec.get());
  } else {
    for (size_t j = 2; j < ctx.argc(); ++j) {
      if (const CommandSpec* spec = lookup_full_name(table, ctx.arg(j))) specs.push_back(spec);
    }
  }
  ctx.out.add_map_len(specs.size());
  for (const CommandSpec* spec : specs) {
    ctx.out.add_bulk(spec->full_name);
    add_command_docs(ctx.out, *spec, spec->group);
  }
}

void cmd_command_list(CommandContext& ctx) {
  enum { kAll, kModule, kAclCat, kPattern } filter = kAll;
  std::string_view value;
  if (ctx.argc() == 5 && iequals(ctx.arg(2), "filterby")) {
    value = ctx.arg(4);
    if (iequals(ctx.arg(3), "module")) {
      filter = kModule;
    } else if (iequals(ctx.arg(3), "aclcat")) {
      filter = kAclCat;
    } else if (iequals(ctx.arg(3), "pattern")) {
      filter = kPattern;
    } else {
      ctx.reply_syntax_error();
      return;
    }
  } else if (ctx.argc() != 2) {
    ctx.reply_syntax_error();
    return;
  }
  uint64_t cat_bit = 0;
  if (filter == kAclCat) {
    auto cats = acl_category_names();
    for (size_t i = 0; i < cats.size(); ++i) {
      if (iequals(cats[i], value)) cat_bit = uint64_t{1} << i;
    }
  }
  std::vector<const CommandSpec*> names;
  auto visit = [&](const CommandSpec& spec) {
    bool keep = filter == kAll || (filter == kAclCat && (spec.acl & cat_bit)) ||
                (filter == kPattern && glob_match_nocase(value, spec.full_name));
    if (keep) names.push_back(&spec);
  };
  for (const auto& spec : ctx.server.commands().all()) {
    visit(*spec);
    for (const CommandSpec& sub : spec->subcommands) visit(sub);
  }
  ctx.out.add_array_len(names.size());
  for (const CommandSpec* spec : names) ctx.out.add_bulk(spec->full_name);
}

void cmd_command_getkeys(CommandContext& ctx) {
  std::span<const std::string_view> argv = ctx.argv.subspan(2);
  const CommandSpec* spec = ctx.server.commands().find(argv[0]);
  if (spec != nullptr && !spec->subcommands.empty() && argv.size() >= 2) {
    if (const CommandSpec* sub = CommandTable::find_sub(*spec, argv[1])) spec = sub;
  }
  if (spec == nullptr) {
    ctx.out.add_error("ERR Invalid command specified");
    return;
  }
  size_t argc = argv.size();
  if ((spec->arity > 0 && argc != size_t(spec->arity)) ||
      (spec->arity < 0 && argc < size_t(-spec->arity))) {
    ctx.out.add_error("ERR Invalid number of arguments specified for command");
    return;
  }
  if (spec->get_keys != nullptr) {
    std::vector<KeyPosition> found = spec->get_keys(argv);
    ctx.out.add_array_len(found.size());
    for (const KeyPosition& k : found) ctx.out.add_bulk(argv[size_t(k.pos)]);
    return;
  }
  if (spec->first_key <= 0) {
    ctx.out.add_error("ERR The command has no key arguments");
    return;
  }
  long long last =
      spec->last_key < 0 ? static_cast<long long>(argc) + spec->last_key : spec->last_key;
  std::vector<std::string_view> keys;
  for (long long i = spec->first_key; i <= last && i < static_cast<long long>(argc);
       i += std::max(1, spec->key_step)) {
    keys.push_back(argv[static_cast<size_t>(i)]);
  }
  ctx.out.add_array_len(keys.size());
  for (std::string_view k : keys) ctx.out.add_bulk(k);
}

void cmd_command_help(CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "(no subcommand)",
      "    Return details about all Redis commands.",
      "COUNT",
      "    Return the total number of commands in this Redis server.",
      "LIST",
      "    Return a list of all commands in this Redis server.",
      "INFO [<command-name> ...]",
      "    Return details about multiple Redis commands.",
      "    If no command names are given, documentation details for all",
      "    commands are returned.",
      "DOCS [<command-name> ...]",
      "    Return documentation details about multiple Redis commands.",
      "    If no command names are given, documentation details for all",
      "    commands are returned.",
      "GETKEYS <full-command>",
      "    Return the keys from a full Redis command.",
      "GETKEYSANDFLAGS <full-command>",
      "    Return the keys and the access flags from a full Redis command.",
      "HELP",
      "    Prints this help.",
  };
  ctx.out.add_array_len(std::size(kLines));
  for (std::string_view l : kLines) ctx.out.add_simple_string(l);
}

void cmd_command_getkeysandflags(CommandContext& ctx) {
  protocol::ReplyWriter keys_out(ctx.out.resp());
  CommandContext inner(ctx.server, ctx.worker, ctx.client, ctx.argv, keys_out, ctx.now_ms);
  inner.spec = ctx.spec;
  cmd_command_getkeys(inner);
  std::string_view r = keys_out.view();
  if (!r.empty() && r[0] == '-') {
    ctx.out.add_raw(r);
    return;
  }
  const CommandSpec* spec = ctx.server.commands().find(ctx.arg(2));
  if (spec != nullptr && !spec->subcommands.empty() && ctx.argc() >= 4) {
    if (const CommandSpec* sub = CommandTable::find_sub(*spec, ctx.arg(3))) spec = sub;
  }
  // Re-derive the keys (same rule as GETKEYS) and attach the key spec's flags.
  std::span<const std::string_view> argv = ctx.argv.subspan(2);
  if (spec->get_keys != nullptr) {
    std::vector<KeyPosition> found = spec->get_keys(argv);
    ctx.out.add_array_len(found.size());
    for (const KeyPosition& k : found) {
      ctx.out.add_array_len(2);
      ctx.out.add_bulk(argv[size_t(k.pos)]);
      ctx.out.add_set_len(2);
      ctx.out.add_simple_string(k.flags[0]);
      ctx.out.add_simple_string(k.flags[1]);
    }
    return;
  }
  long long last =
      spec->last_key < 0 ? static_cast<long long>(argv.size()) + spec->last_key : spec->last_key;
  std::vector<std::string_view> keys;
  for (long long i = spec->first_key; i <= last && i < static_cast<long long>(argv.size());
       i += std::max(1, spec->key_step)) {
    keys.push_back(argv[static_cast<size_t>(i)]);
  }
  bool write = spec->flags & kCmdWrite;
  ctx.out.add_array_len(keys.size());
  for (std::string_view k : keys) {
    ctx.out.add_array_len(2);
    ctx.out.add_bulk(k);
    ctx.out.add_set_len(2);
    ctx.out.add_simple_string(write ? "RW" : "RO");
    ctx.out.add_simple_string(write ? "update" : "access");
  }
}

}  // namespace

std::vector<DocArg> parse_doc_syntax(std::string_view syntax) {
  std::vector<std::string> toks = tokenize(syntax);
  size_t pos = 0;
  bool repeat = false;
  std::vector<DocArg> out;
  while (pos < toks.size()) {
    Alternatives alts = parse_alts(toks, pos, &repeat);
    for (DocArg& a : resolve(std::move(alts))) out.push_back(std::move(a));
    if (pos < toks.size()) pos++;  // a stray closing bracket
  }
  return out;
}

std::string render_doc_args(const std::vector<DocArg>& args) { return render_list(args, " "); }

void register_command_family(CommandTable& t) {
  constexpr uint32_t kLS = kCmdLoading | kCmdStale;
  constexpr uint64_t kConn = kAclSlow | kAclConnection;
  CommandSpec command{.name = "command",
                      .arity = -1,
                      .flags = kLS,
                      .acl = kConn,
                      .handler = cmd_command,
                      .group = "server",
                      .since = "2.8.13",
                      .summary = "Get array of Redis command details",
                      .complexity = "O(N) where N is the total number of Redis commands"};
  command.subcommands = {
      {.name = "count",
       .arity = 2,
       .flags = kLS,
       .acl = kConn,
       .handler = cmd_command_count,
       .group = "server",
       .since = "2.8.13",
       .summary = "Get total number of Redis commands",
       .complexity = "O(1)"},
      {.name = "list",
       .arity = -2,
       .flags = kLS,
       .acl = kConn,
       .handler = cmd_command_list,
       .group = "server",
       .since = "7.0.0",
       .summary = "Get an array of Redis command names",
       .complexity = "O(N) where N is the total number of Redis commands",
       .syntax = "[FILTERBY MODULE module-name|ACLCAT category|PATTERN pattern]"},
      {.name = "info",
       .arity = -2,
       .flags = kLS,
       .acl = kConn,
       .handler = cmd_command_info,
       .group = "server",
       .since = "2.8.13",
       .summary = "Get array of specific Redis command details, or all when no argument is "
                  "given.",
       .complexity = "O(N) where N is the number of commands to look up",
       .syntax = "[command-name [command-name ...]]"},
      {.name = "docs",
       .arity = -2,
       .flags = kLS,
       .acl = kConn,
       .handler = cmd_command_docs,
       .group = "server",
       .since = "7.0.0",
       .summary = "Get array of specific Redis command documentation",
       .complexity = "O(N) where N is the number of commands to look up",
       .syntax = "[command-name [command-name ...]]"},
      {.name = "getkeys",
       .arity = -4,
       .flags = kLS,
       .acl = kConn,
       .handler = cmd_command_getkeys,
       .group = "server",
       .since = "2.8.13",
       .summary = "Extract keys given a full Redis command",
       .complexity = "O(N) where N is the number of arguments to the command",
       .syntax = "command arg [arg ...]"},
      {.name = "getkeysandflags",
       .arity = -4,
       .flags = kLS,
       .acl = kConn,
       .handler = cmd_command_getkeysandflags,
       .group = "server",
       .since = "7.0.0",
       .summary = "Extract keys and access flags given a full Redis command",
       .complexity = "O(N) where N is the number of arguments to the command",
       .syntax = "command arg [arg ...]"},
      {.name = "help",
       .arity = 2,
       .flags = kLS,
       .acl = kConn,
       .handler = cmd_command_help,
       .group = "server",
       .since = "5.0.0",
       .summary = "Show helpful text about the different subcommands",
       .complexity = "O(1)"},
  };
  t.add(std::move(command));
}

}  // namespace stmkv
