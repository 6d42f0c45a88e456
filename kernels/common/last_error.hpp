// Process-wide last-error message (see datalab_kernels.h for why it is not thread-local).
#pragma once
#include <string>

namespace dl {
// Records `message` as the last error and returns `code`, so call sites read
// `return fail(DL_ERR_INVALID_ARGUMENT, "...")`.
int fail(int code, const std::string &message);
}  // namespace dl
