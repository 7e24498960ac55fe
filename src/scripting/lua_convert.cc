#include "scripting/lua_convert.h"

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" {
#include <lauxlib.h>
#include <lua.h>
}

namespace stmkv::scripting {

namespace {

// A cursor over reply bytes produced by our own ReplyWriter (well formed; not re-validated).
struct Cursor {
  std::string_view s;
  size_t pos = 0;

  std::string_view line() {
    size_t end = s.find("\r\n", pos);
    if (end == std::string_view::npos) end = s.size();
    std::string_view l = s.substr(pos, end - pos);
    pos = end + 2;
    return l;
  }
  long long number() {
    std::string_view l = line();
    return std::strtoll(std::string(l).c_str(), nullptr, 10);
  }
  std::string_view bytes(size_t n) {
    std::string_view b = s.substr(pos, n);
    pos += n + 2;
    return b;
  }
};

// Parses one reply; pushes its value when `push` (attributes are parsed without pushing).
void parse(lua_State* L, Cursor& c, bool push) {
  if (c.pos >= c.s.size()) {
    if (push) lua_pushboolean(L, 0);
    return;
  }
  char type = c.s[c.pos++];
  if (push) luaL_checkstack(L, 4, "reply too deep");
  switch (type) {
    case ':': {
      long long v = c.number();
      if (push) lua_pushnumber(L, lua_Number(v));
      return;
    }
    case '$': {
      long long n = c.number();
      if (n < 0) {
        if (push) lua_pushboolean(L, 0);
        return;
      }
      std::string_view b = c.bytes(size_t(n));
      if (push) lua_pushlstring(L, b.data(), b.size());
      return;
    }
    case '+': {
      std::string_view l = c.line();
      if (push) {
        lua_newtable(L);
        lua_pushlstring(L, l.data(), l.size());
        lua_setfield(L, -2, "ok");
      }
      return;
    }
    case '-': {
      std::string_view l = c.line();
      if (push) {
        std::string text = "-";
        text.append(l);
        push_error_table(L, text);
      }
      return;
    }
    case '*':
    case '>': {
      long long n = c.number();
      if (n < 0) {
        if (push) lua_pushboolean(L, 0);
        return;
      }
      if (push) lua_createtable(L, int(n), 0);
      for (long long i = 0; i < n; ++i) {
        parse(L, c, push);
        if (push) lua_rawseti(L, -2, int(i + 1));
      }
      return;
    }
    case '%': {
      long long n = c.number();
      if (push) {
        lua_newtable(L);
        lua_newtable(L);
      }
      for (long long i = 0; i < n; ++i) {
        parse(L, c, push);
        parse(L, c, push);
        if (push) lua_settable(L, -3);
      }
      if (push) lua_setfield(L, -2, "map");
      return;
    }
    case '~': {
      long long n = c.number();
      if (push) {
        lua_newtable(L);
        lua_newtable(L);
      }
      for (long long i = 0; i < n; ++i) {
        parse(L, c, push);
        if (push) {
          lua_pushboolean(L, 1);
          lua_settable(L, -3);
        }
      }
      if (push) lua_setfield(L, -2, "set");
      return;
    }
    case '|': {  // attribute: skipped, then the reply itself
      long long n = c.number();
      for (long long i = 0; i < 2 * n; ++i) parse(L, c, false);
      parse(L, c, push);
      return;
    }
    case '_':
      c.line();
      if (push) lua_pushnil(L);
      return;
    case '#': {
      std::string_view l = c.line();
      if (push) lua_pushboolean(L, l == "t");
      return;
    }
    case ',': {
      std::string l(c.line());
      if (push) {
        double d = l == "inf"    ? HUGE_VAL
                   : l == "-inf" ? -HUGE_VAL
                                 : std::strtod(l.c_str(), nullptr);
        lua_newtable(L);
        lua_pushnumber(L, d);
        lua_setfield(L, -2, "double");
      }
      return;
    }
    case '(': {
      std::string_view l = c.line();
      if (push) {
        lua_newtable(L);
        lua_pushlstring(L, l.data(), l.size());
        lua_setfield(L, -2, "big_number");
      }
      return;
    }
    case '=': {
      long long n = c.number();
      std::string_view b = c.bytes(size_t(n));
      if (push) {
        lua_newtable(L);
        lua_newtable(L);
        std::string_view fmt = b.substr(0, 3);
        std::string_view text = b.size() >= 4 ? b.substr(4) : std::string_view();
        lua_pushlstring(L, text.data(), text.size());
        lua_setfield(L, -2, "string");
        lua_pushlstring(L, fmt.data(), fmt.size());
        lua_setfield(L, -2, "format");
        lua_setfield(L, -2, "verbatim_string");
      }
      return;
    }
    default:
      c.line();
      if (push) lua_pushboolean(L, 0);
      return;
  }
}

// (long long)d with x86's result for NaN and out-of-range values.
long long to_long_long(double d) {
  if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0)) return INT64_MIN;
  return static_cast<long long>(d);
}

// Pushes t[field] (raw) for the table at idx (relative to the stack before the call) and
// returns its type.
int raw_field(lua_State* L, const char* field, int idx = -1) {
  lua_pushstring(L, field);
  lua_rawget(L, idx - 1);
  return lua_type(L, -1);
}

void write_table(lua_State* L, protocol::ReplyWriter& out, int script_resp) {
  // Stack: table.
  if (raw_field(L, "err") == LUA_TSTRING) {
    size_t len;
    const char* s = lua_tolstring(L, -1, &len);
    out.add_error(std::string_view(s, len));  // Redis writes "-%s": no code added
    lua_pop(L, 1);
    return;
  }
  lua_pop(L, 1);
  if (raw_field(L, "ok") == LUA_TSTRING) {
    size_t len;
    const char* s = lua_tolstring(L, -1, &len);
    out.add_simple_string(std::string_view(s, len));
    lua_pop(L, 1);
    return;
  }
  lua_pop(L, 1);
  if (raw_field(L, "double") == LUA_TNUMBER) {
    out.add_double(lua_tonumber(L, -1));
    lua_pop(L, 1);
    return;
  }
  lua_pop(L, 1);
  if (raw_field(L, "big_number") == LUA_TSTRING) {
    size_t len;
    const char* s = lua_tolstring(L, -1, &len);
    std::string digits(s, len);
    for (char& ch : digits) {
      if (ch == '\r' || ch == '\n') ch = ' ';
    }
    out.add_big_number(digits);
    lua_pop(L, 1);
    return;
  }
  lua_pop(L, 1);
  if (raw_field(L, "verbatim_string") == LUA_TTABLE) {
    if (raw_field(L, "format") == LUA_TSTRING) {
      std::string fmt = lua_tostring(L, -1);
      if (raw_field(L, "string", -2) == LUA_TSTRING) {
        size_t len;
        const char* s = lua_tolstring(L, -1, &len);
        out.add_verbatim(std::string_view(s, len), fmt.substr(0, 3));
        lua_pop(L, 3);
        return;
      }
      lua_pop(L, 1);
    }
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  if (raw_field(L, "map") == LUA_TTABLE) {
    size_t mark = out.begin_deferred_len();
    size_t n = 0;
    lua_pushnil(L);
    while (lua_next(L, -2)) {
      lua_pushvalue(L, -2);
      write_lua_value(L, out, script_resp);  // key
      write_lua_value(L, out, script_resp);  // value
      ++n;
    }
    out.set_deferred_map_len(mark, n);
    lua_pop(L, 1);
    return;
  }
  lua_pop(L, 1);
  if (raw_field(L, "set") == LUA_TTABLE) {
    size_t mark = out.begin_deferred_len();
    size_t n = 0;
    lua_pushnil(L);
    while (lua_next(L, -2)) {
      lua_pop(L, 1);
      lua_pushvalue(L, -1);
      write_lua_value(L, out, script_resp);
      ++n;
    }
    out.set_deferred_set_len(mark, n);
    lua_pop(L, 1);
    return;
  }
  lua_pop(L, 1);
  // An array, up to its first nil.
  size_t mark = out.begin_deferred_len();
  size_t n = 0;
  for (int j = 1;; ++j) {
    lua_rawgeti(L, -1, j);
    if (lua_isnil(L, -1)) {
      lua_pop(L, 1);
      break;
    }
    write_lua_value(L, out, script_resp);
    ++n;
  }
  out.set_deferred_array_len(mark, n);
}

}  // namespace

void push_reply(lua_State* L, std::string_view resp) {
  Cursor c{resp};
  parse(L, c, true);
}

void push_error_table(lua_State* L, std::string_view text) {
  std::string code = "ERR";
  std::string_view msg = text;
  if (!text.empty() && text[0] == '-') {
    size_t sp = text.find(' ');
    if (sp == std::string_view::npos) {
      msg = text.substr(1);
    } else {
      code.assign(text.substr(1, sp - 1));
      msg = text.substr(sp + 1);
    }
  }
  while (!msg.empty() && (msg.front() == '\r' || msg.front() == '\n')) msg.remove_prefix(1);
  while (!msg.empty() && (msg.back() == '\r' || msg.back() == '\n')) msg.remove_suffix(1);
  std::string full = code;
  full += ' ';
  full.append(msg);
  lua_newtable(L);
  lua_pushlstring(L, full.data(), full.size());
  lua_setfield(L, -2, "err");
}

void write_lua_value(lua_State* L, protocol::ReplyWriter& out, int script_resp) {
  if (!lua_checkstack(L, 4)) {
    out.add_error("ERR reached lua stack limit");
    lua_pop(L, 1);
    return;
  }
  switch (lua_type(L, -1)) {
    case LUA_TSTRING: {
      size_t len;
      const char* s = lua_tolstring(L, -1, &len);
      out.add_bulk(std::string_view(s, len));
      break;
    }
    case LUA_TBOOLEAN:
      if (script_resp == 2) {
        if (lua_toboolean(L, -1)) {
          out.add_integer(1);
        } else {
          out.add_null();
        }
      } else {
        out.add_bool(lua_toboolean(L, -1) != 0);
      }
      break;
    case LUA_TNUMBER: out.add_integer(to_long_long(lua_tonumber(L, -1))); break;
    case LUA_TTABLE: write_table(L, out, script_resp); break;
    default: out.add_null();
  }
  lua_pop(L, 1);
}

}  // namespace stmkv::scripting
