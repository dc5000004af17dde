// libzmq (Debian libzmq3-dev). Used by the Bus library (Sources/Bus) only.
#include <zmq.h>
