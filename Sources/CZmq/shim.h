// libzmq (Debian libzmq3-dev). Used by Shared/Bus from the bus issue on.
#include <zmq.h>
