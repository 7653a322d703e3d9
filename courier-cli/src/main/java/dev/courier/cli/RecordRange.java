package dev.courier.cli;

import java.util.ArrayList;
import java.util.List;

/** Parses record lists such as {@code 1-15}, {@code 1,3,5-7} or {@code rest,exercise}. */
final class RecordRange {
    private RecordRange() {
    }

    static List<String> parse(String spec) {
        List<String> ids = new ArrayList<>();
        for (String part : spec.split(",")) {
            String p = part.strip();
            if (p.isEmpty()) {
                continue;
            }
            int dash = p.indexOf('-', 1);
            if (dash > 0 && p.substring(0, dash).chars().allMatch(Character::isDigit)
                    && p.substring(dash + 1).chars().allMatch(Character::isDigit) && dash < p.length() - 1) {
                int from = Integer.parseInt(p.substring(0, dash));
                int to = Integer.parseInt(p.substring(dash + 1));
                if (to < from || to - from > 1_000_000) {
                    throw new IllegalArgumentException("bad record range '" + p + "'");
                }
                for (int i = from; i <= to; i++) {
                    ids.add(Integer.toString(i));
                }
            } else {
                ids.add(p);
            }
        }
        if (ids.isEmpty()) {
            throw new IllegalArgumentException("no records in '" + spec + "'");
        }
        return ids;
    }
}
