// Asio, Asio-SSL, Beast and Boost.URL are header-heavy (and Debian ships Boost.URL without a
// compiled library): their implementation is compiled here once instead of in every translation
// unit, which keeps rebuilds fast on 2 cores.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
#include <boost/url/src.hpp>
