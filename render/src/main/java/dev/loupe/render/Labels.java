package dev.loupe.render;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Class names for captions and for choosing a target by name, read from a file with one class per
 * line in output order. A line may start with a WordNet id ({@code n02110185 Siberian husky}) and
 * may list synonyms after commas ({@code Eskimo dog, husky}); the display name is the first one.
 */
public final class Labels {
    private static final Pattern WNID = Pattern.compile("^n\\d{8}\\s+");
    private final List<List<String>> names;

    private Labels(List<List<String>> names) {
        this.names = names;
    }

    /** Labels that are just the class indices, for models without a label file. */
    public static Labels none() {
        return new Labels(List.of());
    }

    public static Labels parse(List<String> lines) {
        List<List<String>> out = new ArrayList<>();
        for (String line : lines) {
            String s = WNID.matcher(line.strip()).replaceFirst("");
            List<String> syn = new ArrayList<>();
            for (String part : s.split(",")) {
                if (!part.isBlank()) {
                    syn.add(part.strip());
                }
            }
            out.add(syn.isEmpty() ? List.of(s.strip()) : List.copyOf(syn));
        }
        // A trailing blank line is not a class.
        while (!out.isEmpty() && out.get(out.size() - 1).get(0).isEmpty()) {
            out.remove(out.size() - 1);
        }
        return new Labels(out);
    }

    public static Labels load(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("label file not found: " + file.toAbsolutePath());
        }
        return parse(Files.readAllLines(file, StandardCharsets.UTF_8));
    }

    public int size() {
        return names.size();
    }

    public boolean isEmpty() {
        return names.isEmpty();
    }

    /** The display name of a class, or {@code "class k"} when the file does not name it. */
    public String name(int k) {
        return k >= 0 && k < names.size() ? names.get(k).get(0) : "class " + k;
    }

    /** {@code "Siberian husky (250)"}. */
    public String describe(int k) {
        return k >= 0 && k < names.size() ? name(k) + " (" + k + ")" : "class " + k;
    }

    /**
     * The class a name refers to: the first name or any synonym, ignoring case; the first name
     * wins over a synonym.
     *
     * @throws IllegalArgumentException for an unknown or ambiguous name, listing close matches
     */
    public int find(String query) {
        String q = norm(query);
        List<Integer> first = new ArrayList<>();
        List<Integer> any = new ArrayList<>();
        for (int k = 0; k < names.size(); k++) {
            List<String> syn = names.get(k);
            if (norm(syn.get(0)).equals(q)) {
                first.add(k);
            }
            for (String s : syn) {
                if (norm(s).equals(q)) {
                    any.add(k);
                    break;
                }
            }
        }
        List<Integer> hits = !first.isEmpty() ? first : any;
        if (hits.size() == 1) {
            return hits.get(0);
        }
        if (hits.size() > 1) {
            throw new IllegalArgumentException("class name '" + query + "' is ambiguous: "
                    + String.join(", ", hits.stream().map(this::describe).toList()) + "; give the index instead");
        }
        if (names.isEmpty()) {
            throw new IllegalArgumentException("unknown class '" + query + "': give a class index, or --labels FILE to use names");
        }
        List<String> close = closeMatches(q, 6);
        throw new IllegalArgumentException("unknown class '" + query + "'"
                + (close.isEmpty() ? "" : "; close matches: " + String.join(", ", close)));
    }

    /** Up to {@code limit} classes whose names contain the query or are a few edits from it. */
    public List<String> closeMatches(String query, int limit) {
        String q = norm(query);
        record Scored(int k, int score) {
        }
        List<Scored> scored = new ArrayList<>();
        for (int k = 0; k < names.size(); k++) {
            int best = Integer.MAX_VALUE;
            for (String s : names.get(k)) {
                String n = norm(s);
                int d = n.contains(q) || (q.length() > 3 && q.contains(n)) ? 0 : editDistance(q, n);
                best = Math.min(best, d);
            }
            if (best <= Math.max(2, q.length() / 3)) {
                scored.add(new Scored(k, best));
            }
        }
        scored.sort(Comparator.comparingInt(Scored::score).thenComparingInt(Scored::k));
        return scored.stream().limit(limit).map(s -> describe(s.k())).toList();
    }

    private static String norm(String s) {
        return s.strip().toLowerCase(Locale.ROOT).replace('_', ' ').replaceAll("\\s+", " ");
    }

    /** Levenshtein distance. */
    public static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
