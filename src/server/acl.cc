// server/acl.cc — see acl.h. Rule parsing, descriptions and error texts follow Redis 7.0's
// acl.c (command-rule recording as 7.2's ACLUpdateCommandRules).
#include "server/acl.h"

#include <openssl/evp.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "commands/info.h"
#include "commands/match.h"
#include "protocol/reply_writer.h"
#include "server/client.h"
#include "server/command_table.h"
#include "server/config.h"
#include "server/server.h"

namespace stmkv {

namespace {

constexpr std::string_view kErrSyntax = "Syntax error";
constexpr std::string_view kErrUnknown = "Unknown command or category name in ACL";
constexpr std::string_view kErrHash =
    "The password hash must be exactly 64 characters and contain only lowercase hexadecimal "
    "characters";
constexpr std::string_view kErrKeyAfterAll =
    "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not "
    "have any effect. Try 'resetkeys' to start with an empty list of patterns";
constexpr std::string_view kErrChannelAfterAll =
    "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not "
    "have any effect. Try 'resetchannels' to start with an empty list of channels";
constexpr std::string_view kErrNoPassword =
    "The password you are trying to remove from the user does not exist";
constexpr int64_t kLogGroupingMs = 60000;  // ACL_LOG_GROUPING_MAX_TIME_DELTA

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool iequal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

const CommandTable& table() { return CommandTable::instance(); }

size_t bitmap_words() { return (size_t(table().size()) + 63) / 64; }

void set_bit(AclUser& u, int id, bool on) {
  uint64_t mask = uint64_t{1} << (id % 64);
  if (on) {
    u.allowed[size_t(id / 64)] |= mask;
  } else {
    u.allowed[size_t(id / 64)] &= ~mask;
  }
}

bool get_bit(const AclUser& u, int id) {
  return (u.allowed[size_t(id / 64)] >> (id % 64)) & 1;
}

// A command and, for a container, its subcommands.
void set_command(AclUser& u, const CommandSpec& spec, bool on) {
  set_bit(u, spec.id, on);
  u.first_args.erase(spec.id);
  for (const CommandSpec& sub : spec.subcommands) set_command(u, sub, on);
}

// Redis 7.2's ACLUpdateCommandRules: drop earlier rules on the same command (or its
// subcommands) or category, then append this one.
void record_rule(AclUser& u, std::string_view rule, bool allow) {
  std::string r = lower(rule);
  std::vector<std::string> kept;
  std::istringstream in(u.command_rules);
  std::string word;
  while (in >> word) {
    std::string_view body = std::string_view(word).substr(1);
    bool same = body == r || (body.size() > r.size() && body.substr(0, r.size()) == r &&
                              body[r.size()] == '|');
    if (!same) kept.push_back(word);
  }
  kept.push_back((allow ? "+" : "-") + r);
  u.command_rules.clear();
  for (const std::string& k : kept) {
    if (!u.command_rules.empty()) u.command_rules += ' ';
    u.command_rules += k;
  }
}

bool is_hash(std::string_view s) {
  if (s.size() != 64) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

void recompute(AclUser& u) {
  bool all = u.allkeys;
  for (int id = 0; all && id < table().size(); ++id) all = get_bit(u, id);
  u.unrestricted_ = all;
}

std::optional<std::string> apply_command_rule(AclUser& u, std::string_view op) {
  bool allow = op[0] == '+';
  std::string_view name = op.substr(1);
  if (!name.empty() && name[0] == '@') {
    if (iequal(name, "@all")) {
      std::fill(u.allowed.begin(), u.allowed.end(), allow ? ~uint64_t{0} : 0);
      u.first_args.clear();
      u.allcommands = allow;
      u.command_rules.clear();
      return std::nullopt;
    }
    uint64_t bit = acl_category_bit(name.substr(1));
    if (bit == 0) return std::string(kErrUnknown);
    for (int id = 0; id < table().size(); ++id) {
      const CommandSpec& spec = table().by_id(id);
      if (acl_command_categories(spec) & bit) {
        set_bit(u, id, allow);
        u.first_args.erase(id);
      }
    }
    record_rule(u, name, allow);
    return std::nullopt;
  }
  size_t bar = name.find('|');
  const CommandSpec* spec = table().find(name.substr(0, bar));
  if (spec == nullptr) return std::string(kErrUnknown);
  if (bar == std::string_view::npos) {
    set_command(u, *spec, allow);
    record_rule(u, name, allow);
    return std::nullopt;
  }
  std::string_view rest = name.substr(bar + 1);
  if (rest.empty() || rest.find('|') != std::string_view::npos) return std::string(kErrSyntax);
  if (!spec->subcommands.empty()) {
    const CommandSpec* sub = CommandTable::find_sub(*spec, rest);
    if (sub == nullptr) return std::string(kErrUnknown);
    set_command(u, *sub, allow);
    record_rule(u, name, allow);
    return std::nullopt;
  }
  // +cmd|firstarg: allowed only with that first argument (Redis 7.0; no '-' form).
  if (!allow) return std::string(kErrUnknown);
  if (!get_bit(u, spec->id)) {
    std::vector<std::string>& args = u.first_args[spec->id];
    std::string a = lower(rest);
    if (std::find(args.begin(), args.end(), a) == args.end()) args.push_back(a);
  }
  record_rule(u, name, allow);
  return std::nullopt;
}

std::optional<std::string> apply_key_rule(AclUser& u, std::string_view op) {
  bool read = true, write = true;
  std::string_view pattern;
  if (op[0] == '~') {
    pattern = op.substr(1);
  } else {  // %R~ %W~ %RW~
    size_t tilde = op.find('~');
    if (tilde == std::string_view::npos || tilde == 1) return std::string(kErrSyntax);
    read = write = false;
    for (char c : op.substr(1, tilde - 1)) {
      if (c == 'R' || c == 'r') {
        read = true;
      } else if (c == 'W' || c == 'w') {
        write = true;
      } else {
        return std::string(kErrSyntax);
      }
    }
    pattern = op.substr(tilde + 1);
  }
  if (u.allkeys) return std::string(kErrKeyAfterAll);
  if (pattern == "*" && read && write) {
    u.allkeys = true;
    u.keys.assign(1, AclKeyPattern{"*", true, true});
    return std::nullopt;
  }
  for (AclKeyPattern& k : u.keys) {
    if (k.pattern == pattern) {
      k.read |= read;
      k.write |= write;
      return std::nullopt;
    }
  }
  u.keys.push_back(AclKeyPattern{std::string(pattern), read, write});
  return std::nullopt;
}

}  // namespace

// --- AclUser ---

bool AclUser::can_run(const CommandSpec& spec, std::span<const std::string_view> argv) const {
  if (spec.flags & kCmdNoAuth) return true;  // AUTH, HELLO, QUIT, RESET: always allowed
  if (get_bit(*this, spec.id)) return true;
  auto it = first_args.find(spec.id);
  if (it == first_args.end() || argv.size() < 2) return false;
  for (const std::string& a : it->second) {
    if (iequal(a, argv[1])) return true;
  }
  return false;
}

bool AclUser::can_access_key(std::string_view key, bool read, bool write) const {
  if (allkeys) return true;
  for (const AclKeyPattern& k : keys) {
    if ((read && !k.read) || (write && !k.write)) continue;
    if (string_match(k.pattern, key)) return true;
  }
  return false;
}

std::vector<std::string> AclUser::flags() const {
  std::vector<std::string> f;
  f.push_back(enabled ? "on" : "off");
  if (nopass) f.push_back("nopass");
  if (sanitize == 2) f.push_back("skip-sanitize-payload");
  if (sanitize == 1) f.push_back("sanitize-payload");
  return f;
}

std::string AclUser::describe_keys() const {
  if (allkeys) return "~*";
  std::string s;
  for (const AclKeyPattern& k : keys) {
    if (!s.empty()) s += ' ';
    if (k.read && k.write) {
      s += "~";
    } else if (k.read) {
      s += "%R~";
    } else {
      s += "%W~";
    }
    s += k.pattern;
  }
  return s;
}

std::string AclUser::describe_channels() const {
  if (allchannels) return "&*";
  std::string s;
  for (const std::string& c : channels) {
    if (!s.empty()) s += ' ';
    s += "&" + c;
  }
  return s;
}

std::string AclUser::describe_commands() const {
  std::string s = allcommands ? "+@all" : "-@all";
  if (!command_rules.empty()) s += " " + command_rules;
  return s;
}

std::string AclUser::describe() const {
  std::string s;
  for (const std::string& f : flags()) {
    if (!s.empty()) s += ' ';
    s += f;
  }
  for (const std::string& p : passwords) s += " #" + p;
  std::string keys_text = describe_keys();
  if (!keys_text.empty()) s += " " + keys_text;
  if (allchannels) {
    s += " &*";
  } else {
    s += " resetchannels";
    if (!channels.empty()) s += " " + describe_channels();
  }
  s += " " + describe_commands();
  return s;
}

// --- Rules ---

std::shared_ptr<AclUser> acl_new_user(std::string_view name) {
  auto u = std::make_shared<AclUser>();
  u->name = std::string(name);
  u->allowed.assign(bitmap_words(), 0);
  return u;
}

std::optional<std::string> acl_apply_rule(AclUser& u, std::string_view op) {
  std::optional<std::string> err;
  if (iequal(op, "on")) {
    u.enabled = true;
  } else if (iequal(op, "off")) {
    u.enabled = false;
  } else if (iequal(op, "skip-sanitize-payload")) {
    u.sanitize = 2;
  } else if (iequal(op, "sanitize-payload")) {
    u.sanitize = 1;
  } else if (iequal(op, "nopass")) {
    u.nopass = true;
    u.passwords.clear();
  } else if (iequal(op, "resetpass")) {
    u.nopass = false;
    u.passwords.clear();
  } else if (iequal(op, "allkeys") || op == "~*") {
    u.allkeys = true;
    u.keys.assign(1, AclKeyPattern{"*", true, true});
  } else if (iequal(op, "resetkeys")) {
    u.allkeys = false;
    u.keys.clear();
  } else if (iequal(op, "allchannels") || op == "&*") {
    u.allchannels = true;
    u.channels.assign(1, "*");
  } else if (iequal(op, "resetchannels")) {
    u.allchannels = false;
    u.channels.clear();
  } else if (iequal(op, "allcommands")) {
    return apply_command_rule(u, "+@all");
  } else if (iequal(op, "nocommands")) {
    return apply_command_rule(u, "-@all");
  } else if (iequal(op, "clearselectors")) {
    // No selectors exist: nothing to clear.
  } else if (iequal(op, "reset")) {
    for (std::string_view r : {"resetpass", "resetkeys", "resetchannels", "off", "-@all"}) {
      acl_apply_rule(u, r);
    }
    u.sanitize = 1;
  } else if (op.empty()) {
    return std::string(kErrSyntax);
  } else if (op[0] == '>' || op[0] == '<') {
    std::string hash = acl_sha256_hex(op.substr(1));
    auto it = std::find(u.passwords.begin(), u.passwords.end(), hash);
    if (op[0] == '>') {
      if (it == u.passwords.end()) u.passwords.push_back(hash);
      u.nopass = false;
    } else {
      if (it == u.passwords.end()) return std::string(kErrNoPassword);
      u.passwords.erase(it);
    }
  } else if (op[0] == '#' || op[0] == '!') {
    std::string_view hash = op.substr(1);
    if (!is_hash(hash)) return std::string(kErrHash);
    auto it = std::find(u.passwords.begin(), u.passwords.end(), hash);
    if (op[0] == '#') {
      if (it == u.passwords.end()) u.passwords.emplace_back(hash);
      u.nopass = false;
    } else {
      if (it == u.passwords.end()) return std::string(kErrNoPassword);
      u.passwords.erase(it);
    }
  } else if (op[0] == '~' || op[0] == '%') {
    err = apply_key_rule(u, op);
  } else if (op[0] == '&') {
    if (u.allchannels) return std::string(kErrChannelAfterAll);
    std::string ch(op.substr(1));
    if (std::find(u.channels.begin(), u.channels.end(), ch) == u.channels.end()) {
      u.channels.push_back(ch);
    }
  } else if ((op[0] == '+' || op[0] == '-') && op.size() > 1) {
    err = apply_command_rule(u, op);
  } else {
    return std::string(kErrSyntax);
  }
  recompute(u);
  return err;
}

std::string acl_sha256_hex(std::string_view s) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(s.data(), s.size(), md, &len, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[md[i] >> 4];
    out += kHex[md[i] & 15];
  }
  return out;
}

uint64_t acl_command_categories(const CommandSpec& spec) {
  uint64_t c = spec.acl;
  if (spec.flags & kCmdWrite) c |= kAclWrite;
  if ((spec.flags & kCmdReadonly) && !(c & kAclScripting)) c |= kAclRead;
  if (spec.flags & kCmdAdmin) c |= kAclAdmin | kAclDangerous;
  if (spec.flags & kCmdPubsub) c |= kAclPubsub;
  if (spec.flags & kCmdFast) c |= kAclFast;
  if (spec.flags & kCmdBlocking) c |= kAclBlocking;
  if (!(c & kAclFast)) c |= kAclSlow;
  return c;
}

uint64_t acl_category_bit(std::string_view name) {
  auto names = acl_category_names();
  for (size_t i = 0; i < names.size(); ++i) {
    if (iequal(names[i], name)) return uint64_t{1} << i;
  }
  return 0;
}

std::vector<size_t> acl_key_positions(const CommandSpec& spec,
                                      std::span<const std::string_view> argv) {
  std::vector<size_t> pos;
  // Commands with movable keys (SORT ... STORE destination) find their keys themselves.
  if (spec.get_keys != nullptr) {
    for (const KeyPosition& k : spec.get_keys(argv)) pos.push_back(size_t(k.pos));
    return pos;
  }
  const size_t argc = argv.size();
  if (spec.first_key > 0) {
    long long last = spec.last_key < 0 ? static_cast<long long>(argc) + spec.last_key
                                       : static_cast<long long>(spec.last_key);
    for (long long i = spec.first_key; i <= last && i < static_cast<long long>(argc);
         i += std::max(1, spec.key_step)) {
      pos.push_back(size_t(i));
    }
  }
  // "numkeys key [key ...]": the argument position of numkeys from the syntax (the command
  // name is position 0), the keys right after it.
  std::string_view syn = spec.syntax;
  size_t at = syn.find("numkeys");
  if (at != std::string_view::npos && syn.substr(0, at).find('[') == std::string_view::npos) {
    size_t index = 1;
    for (size_t i = 0; i < at; ++i) {
      if (syn[i] == ' ') ++index;
    }
    if (spec.subcommands.empty() && spec.full_name.find('|') != std::string::npos) ++index;
    if (index < argc) {
      int64_t n = 0;
      std::string_view v = argv[index];
      bool ok = !v.empty() && v.size() < 12;
      for (char c : v) ok = ok && c >= '0' && c <= '9';
      if (ok) {
        n = std::stoll(std::string(v));
        for (size_t i = index + 1; i < argc && i <= index + size_t(n); ++i) pos.push_back(i);
      }
    }
  }
  return pos;
}

AclDenial acl_check(const AclUser& u, const CommandSpec& spec,
                    std::span<const std::string_view> argv, size_t* errpos) {
  *errpos = 0;
  if (u.unrestricted()) return AclDenial::kNone;
  if (!u.can_run(spec, argv)) return AclDenial::kCommand;
  if (u.allkeys || (spec.flags & kCmdNoAuth)) return AclDenial::kNone;
  bool write = (spec.flags & kCmdWrite) != 0;
  bool read = !write;
  for (size_t p : acl_key_positions(spec, argv)) {
    if (!u.can_access_key(argv[p], read, write)) {
      *errpos = p;
      return AclDenial::kKey;
    }
  }
  return AclDenial::kNone;
}

// --- Acl ---

Acl::Acl(const ServerConfig& config) {
  auto def = acl_new_user("default");
  for (std::string_view r : {"on", "nopass", "~*", "&*", "+@all"}) acl_apply_rule(*def, r);
  {
    std::lock_guard<std::mutex> g(mu_);
    publish(def);
  }
  set_default_password(config.requirepass);
  log_max_len_ = size_t(std::max<int64_t>(0, config.acllog_max_len));
  if (!config.user_directives.empty() && !config.aclfile.empty()) {
    throw std::runtime_error(
        "Configuring Redis with users defined in redis.conf and at the same setting an ACL file "
        "path is invalid. This setup is very likely to lead to configuration errors and security "
        "holes, please define either an ACL file or declare users directly in your redis.conf, "
        "but not both.");
  }
  for (const std::vector<std::string>& d : config.user_directives) {
    if (d.empty()) throw std::runtime_error("Error in user declaration: no user name");
    auto u = acl_new_user(d[0]);
    for (size_t i = 1; i < d.size(); ++i) {
      if (std::optional<std::string> e = acl_apply_rule(*u, d[i])) {
        throw std::runtime_error("Error in user declaration '" + d[0] + "': " + *e);
      }
    }
    std::lock_guard<std::mutex> g(mu_);
    publish(u);
  }
  if (!config.aclfile.empty()) {
    if (std::optional<std::string> e = load_file(config.aclfile)) throw std::runtime_error(*e);
  }
}

void Acl::publish(std::shared_ptr<AclUser> user) {
  std::string name = user->name;
  users_[name] = std::move(user);
  after_change();
}

void Acl::after_change() {
  auto it = users_.find("default");
  const AclUser& d = *it->second;
  auth_required_.store(!d.nopass || !d.enabled, std::memory_order_release);
  default_nopass_.store(d.nopass, std::memory_order_release);
  version_.fetch_add(1, std::memory_order_acq_rel);
}

std::shared_ptr<const AclUser> Acl::find(std::string_view name) const {
  std::lock_guard<std::mutex> g(mu_);
  auto it = users_.find(name);
  return it == users_.end() ? nullptr : it->second;
}

std::optional<std::string> Acl::set_user(std::string_view name,
                                         std::span<const std::string_view> rules) {
  std::lock_guard<std::mutex> g(mu_);
  auto it = users_.find(name);
  auto u = it == users_.end() ? acl_new_user(name) : std::make_shared<AclUser>(*it->second);
  for (std::string_view r : rules) {
    if (std::optional<std::string> e = acl_apply_rule(*u, r)) {
      return "Error in ACL SETUSER modifier '" + std::string(r) + "': " + *e;
    }
  }
  publish(u);
  return std::nullopt;
}

int Acl::del_users(std::span<const std::string_view> names) {
  std::lock_guard<std::mutex> g(mu_);
  int n = 0;
  for (std::string_view name : names) {
    auto it = users_.find(name);
    if (it == users_.end() || name == "default") continue;
    users_.erase(it);
    ++n;
  }
  if (n > 0) after_change();
  return n;
}

std::vector<std::shared_ptr<const AclUser>> Acl::users() const {
  std::lock_guard<std::mutex> g(mu_);
  std::vector<std::shared_ptr<const AclUser>> out;
  for (const auto& [name, u] : users_) out.push_back(u);
  return out;
}

std::shared_ptr<const AclUser> Acl::check_password(std::string_view name,
                                                   std::string_view password) const {
  std::shared_ptr<const AclUser> u = find(name);
  if (u == nullptr || !u->enabled) return nullptr;
  if (u->nopass) return u;
  std::string hash = acl_sha256_hex(password);
  bool match = false;
  for (const std::string& p : u->passwords) {
    // Constant time over the digest, as Redis's time_independent_strcmp.
    unsigned diff = 0;
    for (size_t i = 0; i < hash.size(); ++i) diff |= unsigned(hash[i] ^ p[i]);
    match |= diff == 0;
  }
  return match ? u : nullptr;
}

void Acl::set_default_password(std::string_view password) {
  std::lock_guard<std::mutex> g(mu_);
  auto u = std::make_shared<AclUser>(*users_.at("default"));
  acl_apply_rule(*u, "resetpass");
  if (!password.empty()) {
    acl_apply_rule(*u, ">" + std::string(password));
  } else {
    acl_apply_rule(*u, "nopass");
  }
  requirepass_ = std::string(password);
  publish(u);
}

std::string Acl::applied_requirepass() const {
  std::lock_guard<std::mutex> g(mu_);
  return requirepass_;
}

std::optional<std::string> Acl::load_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return "Error loading ACLs, opening file '" + path + "': " + std::strerror(errno);
  }
  std::map<std::string, std::shared_ptr<const AclUser>, std::less<>> loaded;
  std::string line;
  int lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    std::string_view l = line;
    while (!l.empty() && (l.back() == '\r' || l.back() == ' ' || l.back() == '\t')) {
      l.remove_suffix(1);
    }
    while (!l.empty() && (l.front() == ' ' || l.front() == '\t')) l.remove_prefix(1);
    if (l.empty() || l[0] == '#') continue;
    auto where = path + ":" + std::to_string(lineno) + ": ";
    std::optional<std::vector<std::string>> argv = split_config_args(l);
    if (!argv) return where + "unbalanced quotes in acl line. ";
    if (argv->empty()) continue;
    if ((*argv)[0] != "user" || argv->size() < 2) {
      return where + "line should start with user keyword. ";
    }
    const std::string& name = (*argv)[1];
    if (loaded.count(name) != 0) return where + "Duplicate user '" + name + "' found. ";
    auto u = acl_new_user(name);
    for (size_t i = 2; i < argv->size(); ++i) {
      if (std::optional<std::string> e = acl_apply_rule(*u, (*argv)[i])) {
        return where + *e + ". ";
      }
    }
    loaded[name] = u;
  }
  std::lock_guard<std::mutex> g(mu_);
  if (loaded.count("default") == 0) loaded["default"] = users_.at("default");
  users_ = std::move(loaded);
  after_change();
  return std::nullopt;
}

std::optional<std::string> Acl::save_file(const std::string& path) const {
  std::string text;
  for (const auto& u : users()) text += "user " + u->name + " " + u->describe() + "\n";
  std::string tmp = path + ".tmp-" + std::to_string(getpid());
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) return "Opening temp ACL file for ACL SAVE: " + std::string(std::strerror(errno));
    out << text;
    out.flush();
    if (!out) return "Writing ACL file for ACL SAVE: " + std::string(std::strerror(errno));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::string e = std::strerror(errno);
    std::remove(tmp.c_str());
    return "Renaming ACL file for ACL SAVE: " + e;
  }
  return std::nullopt;
}

void Acl::log(AclLogEntry entry, int64_t now_ms) {
  std::lock_guard<std::mutex> g(log_mu_);
  for (auto it = log_.begin(); it != log_.end(); ++it) {
    if (it->reason == entry.reason && it->context == entry.context &&
        it->object == entry.object && it->username == entry.username &&
        now_ms - it->ctime_ms < kLogGroupingMs) {
      AclLogEntry e = std::move(*it);
      log_.erase(it);
      e.count++;
      e.ctime_ms = now_ms;
      e.client_info = std::move(entry.client_info);
      log_.push_front(std::move(e));
      return;
    }
  }
  entry.count = 1;
  entry.ctime_ms = entry.created_ms = now_ms;
  entry.entry_id = next_entry_id_++;
  log_.push_front(std::move(entry));
  while (log_.size() > log_max_len_) log_.pop_back();
}

std::vector<AclLogEntry> Acl::log_entries(size_t count) const {
  std::lock_guard<std::mutex> g(log_mu_);
  size_t n = std::min(count, log_.size());
  return std::vector<AclLogEntry>(log_.begin(), log_.begin() + static_cast<ptrdiff_t>(n));
}

void Acl::log_reset() {
  std::lock_guard<std::mutex> g(log_mu_);
  log_.clear();
}

void Acl::set_log_max_len(int64_t n) {
  std::lock_guard<std::mutex> g(log_mu_);
  log_max_len_ = size_t(std::max<int64_t>(0, n));
  while (log_.size() > log_max_len_) log_.pop_back();
}

// --- Hooks ---

namespace {

// A user with no permission at all: what a client of a deleted user runs as until it is closed.
std::shared_ptr<const AclUser> vanished_user(std::string_view name) {
  return acl_new_user(name);
}

void set_client_user(Server& server, ClientState& client, std::shared_ptr<const AclUser> u) {
  std::lock_guard<std::mutex> g(server.clients().lock());
  client.user = std::move(u);
}

// Re-reads the client's user if any user changed since it was read.
void refresh(Server& server, ClientState& client) {
  uint64_t v = server.acl().version();
  if (client.user != nullptr && client.acl_version == v) return;
  if (client.user == nullptr) {
    acl_attach_default(server, client);
    return;
  }
  std::shared_ptr<const AclUser> u = server.acl().find(client.user->name);
  if (u == nullptr) u = vanished_user(client.user->name);
  client.acl_version = v;
  if (u != client.user) set_client_user(server, client, std::move(u));
}

}  // namespace

void acl_attach_default(Server& server, ClientState& client) {
  client.acl_version = server.acl().version();
  std::shared_ptr<const AclUser> d = server.acl().default_user();
  client.authenticated = d->nopass && d->enabled;
  set_client_user(server, client, std::move(d));
}

bool acl_auth_required(Server& server, const ClientState& client) {
  return !client.authenticated && server.acl().auth_required();
}

bool acl_admit(Server& server, ClientState& client, const CommandSpec& spec,
               std::span<const std::string_view> argv, protocol::ReplyWriter& out) {
  refresh(server, client);
  if (!client.authenticated && !(spec.flags & kCmdNoAuth) && server.acl().auth_required()) {
    out.add_error("NOAUTH Authentication required.");
    return false;
  }
  const AclUser& u = *client.user;
  if (u.unrestricted()) return true;
  size_t errpos = 0;
  AclDenial d = acl_check(u, spec, argv, &errpos);
  if (d == AclDenial::kNone) return true;
  AclLogEntry e;
  e.context = client.multi.active ? "multi" : "toplevel";
  e.username = u.name;
  int64_t now = now_ms();
  e.client_info = client_info_line(server, client, now);
  if (d == AclDenial::kCommand) {
    e.reason = "command";
    e.object = spec.full_name;
    out.add_error("NOPERM this user has no permissions to run the '" + spec.full_name +
                  "' command");
  } else {
    e.reason = "key";
    e.object = std::string(argv[errpos]);
    out.add_error("NOPERM this user has no permissions to access one of the keys used as "
                  "arguments");
  }
  server.acl().log(std::move(e), now);
  return false;
}

std::string acl_exec_check(Server& server, ClientState& client, const CommandSpec& spec,
                           std::span<const std::string_view> argv, AclLogEntry* entry) {
  refresh(server, client);
  if (client.user->unrestricted()) return "";
  size_t errpos = 0;
  AclDenial d = acl_check(*client.user, spec, argv, &errpos);
  if (d == AclDenial::kNone) return "";
  entry->reason = d == AclDenial::kCommand ? "command" : "key";
  entry->context = "multi";
  entry->object = d == AclDenial::kCommand ? spec.full_name : std::string(argv[errpos]);
  entry->username = client.user->name;
  entry->client_info = client_info_line(server, client, now_ms());
  return std::string(
             "NOPERM ACLs rules changed between the moment the transaction was accumulated and "
             "the EXEC call. This command is no longer allowed for the following reason: ") +
         (d == AclDenial::kCommand ? "no permission to execute the command or subcommand"
                                   : "no permission to touch the specified keys");
}

void acl_sync_config(Server& server) {
  std::string pass;
  int64_t log_len;
  {
    std::lock_guard<std::mutex> g(server.config_lock());
    pass = server.config().requirepass;
    log_len = server.config().acllog_max_len;
  }
  if (pass != server.acl().applied_requirepass()) server.acl().set_default_password(pass);
  server.acl().set_log_max_len(log_len);
}

bool acl_authenticate(Server& server, ClientState& client, std::string_view user,
                      std::string_view password) {
  std::shared_ptr<const AclUser> u = server.acl().check_password(user, password);
  if (u != nullptr) {
    client.authenticated = true;
    client.acl_version = server.acl().version();
    set_client_user(server, client, std::move(u));
    return true;
  }
  AclLogEntry e;
  e.reason = "auth";
  e.context = client.multi.active ? "multi" : "toplevel";
  e.object = "AUTH";
  e.username = std::string(user);
  int64_t now = now_ms();
  e.client_info = client_info_line(server, client, now);
  server.acl().log(std::move(e), now);
  return false;
}

std::span<const std::string_view> acl_redacted_argv(const CommandSpec& spec,
                                                    std::span<const std::string_view> argv,
                                                    std::vector<std::string_view>& storage) {
  static constexpr std::string_view kRedacted = "(redacted)";
  const std::string& n = spec.full_name;
  size_t from;
  if (n == "auth") {
    from = 1;
  } else if (n == "acl|setuser") {
    from = 2;  // the user name too, as Redis 7.0
  } else if (n == "hello") {
    // HELLO [protover [AUTH username password] [SETNAME clientname]]
    for (size_t j = 2; j + 2 < argv.size(); ++j) {
      if (iequal(argv[j], "auth")) {
        storage.assign(argv.begin(), argv.end());
        storage[j + 1] = storage[j + 2] = kRedacted;
        return storage;
      }
    }
    return argv;
  } else {
    return argv;
  }
  if (from >= argv.size()) return argv;
  storage.assign(argv.begin(), argv.end());
  for (size_t i = from; i < storage.size(); ++i) storage[i] = kRedacted;
  return storage;
}

}  // namespace stmkv
