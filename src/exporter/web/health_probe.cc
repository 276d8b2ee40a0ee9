#include "exporter/web/health_probe.h"

#include <httplib.h>

#include "common/listen_address.h"

namespace drmm {

int ProbeHealth(const std::string& listen_address, std::string* detail) {
  const auto address = ParseListenAddress(listen_address);
  if (!address || address->port == 0) {
    *detail = "--web.listen-address \"" + listen_address + "\" names no fixed port to probe";
    return 1;
  }
  std::string host = address->host;
  if (host == "0.0.0.0") host = "127.0.0.1";
  if (host == "::") host = "::1";
  httplib::Client client(host, address->port);
  client.set_connection_timeout(std::chrono::seconds(2));
  client.set_read_timeout(std::chrono::seconds(3));
  const auto response = client.Get("/-/healthy");
  if (!response) {
    *detail = "no answer from " + host + ":" + std::to_string(address->port) + ": " +
              httplib::to_string(response.error());
    return 1;
  }
  *detail = "HTTP " + std::to_string(response->status);
  return response->status == 200 ? 0 : 1;
}

}  // namespace drmm
