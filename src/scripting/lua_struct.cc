// Placeholder until the struct library is written: an empty table.
#include "scripting/lua_libs.h"

extern "C" {
#include <lauxlib.h>
#include <lua.h>
}

namespace stmkv::scripting {
int luaopen_struct(lua_State* L) {
  lua_newtable(L);
  lua_setglobal(L, "struct");
  return 0;
}
int luaopen_cmsgpack(lua_State* L) {
  lua_newtable(L);
  lua_setglobal(L, "cmsgpack");
  return 0;
}
}  // namespace stmkv::scripting
