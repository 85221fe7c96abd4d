#include "sim/platform/comm_start_signal.hpp"

#include <xbt/signal.hpp>

// The one member of SimGrid 3.32's kernel CommImpl this file needs, as libsimgrid exports it
// (src/kernel/activity/CommImpl.hpp is not installed). Only its address is used: a CommImpl
// derives from ActivityImpl alone, so it is the same pointer as s4u::Activity::get_impl().
namespace simgrid::kernel::activity {
class CommImpl {
 public:
  static xbt::signal<void(CommImpl const&)> on_start;
};
}  // namespace simgrid::kernel::activity

namespace gigasim {

void on_comm_start(std::function<void(const void* comm)> cb) {
  simgrid::kernel::activity::CommImpl::on_start.connect(
      [cb = std::move(cb)](const simgrid::kernel::activity::CommImpl& c) { cb(&c); });
}

}  // namespace gigasim
