package io.shakengate.proxy;

/** What the benchmarks' UAS answers: the response text a UAS builds for a request it received. */
final class UasResponses {
    private UasResponses() {
    }

    /**
     * {@code status} to {@code request} (as the last point forwarded it): Via, From, Call-ID and CSeq copied, To
     * with {@code toTag} appended (RFC 3261 section 8.2.6.2), the UAS's Contact, no body.
     */
    static String to(String request, String status, String toTag) {
        StringBuilder r = new StringBuilder("SIP/2.0 ").append(status).append("\r\n");
        for (int at = 0, end; (end = request.indexOf("\r\n", at)) > at; at = end + 2) {
            if (request.startsWith("Via:", at) || request.startsWith("From:", at) || request.startsWith("Call-ID:", at)
                    || request.startsWith("CSeq:", at)) {
                r.append(request, at, end + 2);
            } else if (request.startsWith("To:", at)) {
                r.append(request, at, end).append(toTag).append("\r\n");
            }
        }
        return r.append("Contact: <sip:uas@127.0.0.1:5080>\r\nContent-Length: 0\r\n\r\n").toString();
    }
}
