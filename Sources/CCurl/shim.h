// libcurl (Debian libcurl4-openssl-dev). curl_easy_setopt / curl_easy_getinfo are C-variadic and
// cannot be called from Swift, so each option kind gets a typed static inline wrapper here.
#include <curl/curl.h>

static inline CURLcode polypipe_curl_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode polypipe_curl_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode polypipe_curl_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode polypipe_curl_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(handle, option, value);
}
typedef size_t (*polypipe_curl_write_callback)(char *ptr, size_t size, size_t nmemb, void *userdata);
static inline CURLcode polypipe_curl_setopt_write_function(CURL *handle, CURLoption option, polypipe_curl_write_callback value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode polypipe_curl_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}
static inline CURLcode polypipe_curl_getinfo_double(CURL *handle, CURLINFO info, double *value) {
    return curl_easy_getinfo(handle, info, value);
}
// Called once the connection for a request is ready (new or reused) and before any byte of the
// request is sent (libcurl >= 7.80): CurlTransport uses it to keep paper-mode requests on
// connections proven to lead to a simulator.
typedef int (*polypipe_curl_prereq_callback)(void *clientp, char *conn_primary_ip, char *conn_local_ip,
                                             int conn_primary_port, int conn_local_port);
static inline CURLcode polypipe_curl_setopt_prereq_function(CURL *handle, polypipe_curl_prereq_callback value) {
    return curl_easy_setopt(handle, CURLOPT_PREREQFUNCTION, value);
}
static inline CURLcode polypipe_curl_setopt_prereq_data(CURL *handle, void *value) {
    return curl_easy_setopt(handle, CURLOPT_PREREQDATA, value);
}
static inline CURLcode polypipe_curl_getinfo_socket(CURL *handle, CURLINFO info, curl_socket_t *value) {
    return curl_easy_getinfo(handle, info, value);
}
