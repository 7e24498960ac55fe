// commands/server_family.cc — (being written)
#include "server/command_table.h"

namespace stmkv {

void register_server_family(CommandTable& t) {}

}  // namespace stmkv
