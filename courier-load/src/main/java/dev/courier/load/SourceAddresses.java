package dev.courier.load;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * The local addresses a connection load spreads over. One source address gives about 64,000 connections to one
 * server address and port (one per ephemeral port), so a load of a million needs a few dozen; on Linux every
 * 127.x.y.z address is local, so no interface needs configuring. Parsing only: stateless, any thread.
 */
public final class SourceAddresses {
    /** The first address of the {@link #parse count form}: 127.0.1.1, then 127.0.1.2, ... */
    static final int COUNT_BASE = (127 << 24) | (1 << 8) | 1;
    static final int MAX_ADDRESSES = 65_536;

    private SourceAddresses() {
    }

    /**
     * Parses {@code FIRST-LAST} (IPv4, inclusive, for example {@code 127.0.1.1-127.0.1.50}), a comma-separated list
     * of addresses, or a count {@code N} meaning N addresses from 127.0.1.1 on (addresses ending in .0 or .255 are
     * skipped).
     *
     * @throws IllegalArgumentException when the text is none of these, or names more than 65,536 addresses
     */
    public static List<InetAddress> parse(String text) {
        String s = text.strip();
        List<InetAddress> out = new ArrayList<>();
        if (s.matches("\\d+")) {
            int count = Integer.parseInt(s);
            if (count < 1 || count > MAX_ADDRESSES) {
                throw new IllegalArgumentException("--source-addresses count must be 1 to " + MAX_ADDRESSES + ": " + s);
            }
            for (int a = COUNT_BASE; out.size() < count; a++) {
                int last = a & 0xff;
                if (last != 0 && last != 255) {
                    out.add(v4(a));
                }
            }
            return out;
        }
        int dash = s.indexOf('-');
        if (dash > 0) {
            int first = v4Int(s.substring(0, dash), text);
            int last = v4Int(s.substring(dash + 1), text);
            long n = Integer.toUnsignedLong(last) - Integer.toUnsignedLong(first) + 1;
            if (n < 1 || n > MAX_ADDRESSES) {
                throw new IllegalArgumentException("--source-addresses range must run upwards and hold at most "
                        + MAX_ADDRESSES + " addresses: " + text);
            }
            for (long i = 0; i < n; i++) {
                out.add(v4((int) (first + i)));
            }
            return out;
        }
        for (String part : s.split(",")) {
            out.add(v4(v4Int(part, text)));
        }
        return out;
    }

    private static int v4Int(String part, String whole) {
        String[] o = part.strip().split("\\.");
        if (o.length != 4) {
            throw new IllegalArgumentException("not an IPv4 address: '" + part.strip() + "' in '" + whole
                    + "' (give FIRST-LAST, a comma-separated list or a count)");
        }
        int v = 0;
        for (String octet : o) {
            int x;
            try {
                x = Integer.parseInt(octet);
            } catch (NumberFormatException e) {
                x = -1;
            }
            if (x < 0 || x > 255) {
                throw new IllegalArgumentException("not an IPv4 address: '" + part.strip() + "' in '" + whole + "'");
            }
            v = (v << 8) | x;
        }
        return v;
    }

    private static Inet4Address v4(int a) {
        try {
            return (Inet4Address) InetAddress.getByAddress(new byte[] {(byte) (a >>> 24), (byte) (a >>> 16),
                (byte) (a >>> 8), (byte) a});
        } catch (UnknownHostException e) {
            throw new AssertionError(e); // four bytes are always an address
        }
    }
}
