// zlib, for `tasktrace export -o TRACE.json.gz` (Debian: zlib1g-dev).
#include <zlib.h>
