#include "last_error.hpp"

#include <mutex>

#include "../include/datalab_kernels.h"

namespace {
std::mutex g_error_mutex;
// Two buffers so that the pointer returned by dl_last_error stays valid while the next failure
// is being written into the other one.
std::string g_messages[2];
int g_current = 0;
}  // namespace

namespace dl {
int fail(int code, const std::string &message) {
  std::lock_guard<std::mutex> lock(g_error_mutex);
  const int next = 1 - g_current;
  g_messages[next] = message;
  g_current = next;
  return code;
}
}  // namespace dl

extern "C" DL_API const char *dl_last_error(void) {
  std::lock_guard<std::mutex> lock(g_error_mutex);
  return g_messages[g_current].c_str();
}
