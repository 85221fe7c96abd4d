#include "sim/replay/comm.hpp"

#include <fmt/format.h>

#include <cmath>

namespace gigasim::detail {

sg4::Mailbox* collective_mailbox(uint32_t family, uint32_t src, uint32_t dst) {
  return sg4::Mailbox::by_name(fmt::format("f{}:{}>{}", family, src, dst));
}

sg4::Mailbox* p2p_mailbox(uint32_t family, uint32_t tag, uint32_t src, uint32_t dst) {
  return sg4::Mailbox::by_name(fmt::format("p{}.{}:{}>{}", family, tag, src, dst));
}

sg4::CommPtr post_send(sg4::Mailbox* mb, void* slot, double bytes, double rate_Bps) {
  const auto size = static_cast<uint64_t>(std::llround(bytes));
  if (rate_Bps <= 0) return mb->put_async(slot, size);
  sg4::CommPtr comm = mb->put_init(slot, size);
  comm->set_rate(rate_Bps);
  comm->start();
  return comm;
}

sg4::CommPtr post_recv(sg4::Mailbox* mb, void** slot, double rate_Bps) {
  if (rate_Bps <= 0) return mb->get_async<void>(slot);
  sg4::CommPtr comm = mb->get_init()->set_dst_data(slot, sizeof(void*));
  comm->set_rate(rate_Bps);
  comm->start();
  return comm;
}

}  // namespace gigasim::detail
