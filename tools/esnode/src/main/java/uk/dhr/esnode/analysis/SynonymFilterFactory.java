package uk.dhr.esnode.analysis;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.synonym.SolrSynonymParser;
import org.apache.lucene.analysis.synonym.SynonymFilter;
import org.apache.lucene.analysis.synonym.SynonymGraphFilter;
import org.apache.lucene.analysis.synonym.SynonymMap;
import org.apache.lucene.analysis.synonym.WordnetSynonymParser;
import org.apache.lucene.util.CharsRef;
import org.apache.lucene.util.CharsRefBuilder;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.index.IndexService.IndexCreationContext;
import org.elasticsearch.index.analysis.Analysis;
import org.elasticsearch.index.analysis.AnalysisMode;
import org.elasticsearch.index.analysis.CharFilterFactory;
import org.elasticsearch.index.analysis.CustomAnalyzer;
import org.elasticsearch.index.analysis.TokenFilterFactory;
import org.elasticsearch.index.analysis.TokenizerFactory;

import java.io.IOException;
import java.io.StringReader;
import java.util.List;
import java.util.function.Function;

/**
 * {@code synonym} / {@code synonym_graph} token filters with Elasticsearch's parameters:
 * {@code synonyms} (inline rules) or {@code synonyms_path} (file relative to the config dir),
 * {@code format} (solr, the default, or wordnet), {@code expand} (default true),
 * {@code lenient} (default: value of {@code updateable}) and {@code updateable}
 * (search-time only). As in Elasticsearch, the rules are analysed with the analysis chain
 * that precedes the filter (tokenizer, char filters and earlier token filters), so
 * synonyms line up with stemmed / folded tokens.
 */
final class SynonymFilterFactory implements TokenFilterFactory {

    private final Environment env;
    private final String name;
    private final Settings settings;
    private final boolean graph;
    private final boolean expand;
    private final boolean lenient;
    private final boolean wordnet;
    private final AnalysisMode mode;

    SynonymFilterFactory(Environment env, String name, Settings settings, boolean graph) {
        if (settings.hasValue("synonyms") == false && settings.hasValue("synonyms_path") == false) {
            if (settings.hasValue("synonyms_set")) {
                throw new IllegalArgumentException("[synonyms_set] is not supported by the embedded test node (dhr esnode)");
            }
            throw new IllegalArgumentException("synonym requires either `synonyms` or `synonyms_path` to be configured");
        }
        this.env = env;
        this.name = name;
        this.settings = settings;
        this.graph = graph;
        this.expand = settings.getAsBoolean("expand", true);
        boolean updateable = settings.getAsBoolean("updateable", false);
        this.lenient = settings.getAsBoolean("lenient", updateable);
        this.wordnet = "wordnet".equalsIgnoreCase(settings.get("format", ""));
        this.mode = updateable ? AnalysisMode.SEARCH_TIME : AnalysisMode.ALL;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public AnalysisMode getAnalysisMode() {
        return mode;
    }

    @Override
    public TokenStream create(TokenStream tokenStream) {
        throw new IllegalStateException("synonym filter [" + name + "] must be specialised for its analysis chain first");
    }

    @Override
    public TokenFilterFactory getChainAwareTokenFilterFactory(
        IndexCreationContext context,
        TokenizerFactory tokenizer,
        List<CharFilterFactory> charFilters,
        List<TokenFilterFactory> previousTokenFilters,
        Function<String, TokenFilterFactory> allFilters
    ) {
        Analyzer ruleAnalyzer = new CustomAnalyzer(
            tokenizer,
            charFilters.toArray(new CharFilterFactory[0]),
            previousTokenFilters.stream().map(TokenFilterFactory::getSynonymFilter).toArray(TokenFilterFactory[]::new)
        );
        SynonymMap map = buildMap(ruleAnalyzer);
        final String filterName = name;
        final boolean isGraph = graph;
        final AnalysisMode analysisMode = mode;
        return new TokenFilterFactory() {
            @Override
            public String name() {
                return filterName;
            }

            @Override
            public TokenStream create(TokenStream ts) {
                if (map.fst == null) {
                    return ts;
                }
                return isGraph ? new SynonymGraphFilter(ts, map, false) : new SynonymFilter(ts, map, false);
            }

            @Override
            public TokenFilterFactory getSynonymFilter() {
                // synonyms are not applied to the rules of a later synonym filter
                return IDENTITY_FILTER;
            }

            @Override
            public AnalysisMode getAnalysisMode() {
                return analysisMode;
            }
        };
    }

    private SynonymMap buildMap(Analyzer analyzer) {
        // Handles both the inline `synonyms` list and `synonyms_path` (resolved against the config dir).
        List<String> lines = Analysis.getWordList(env, settings, "synonyms");
        StringBuilder rules = new StringBuilder();
        for (String line : lines) {
            rules.append(line).append('\n');
        }
        try {
            SynonymMap.Parser parser = wordnet ? new LenientWordnet(expand, lenient, analyzer) : new LenientSolr(expand, lenient, analyzer);
            parser.parse(new StringReader(rules.toString()));
            return parser.build();
        } catch (Exception e) {
            throw new IllegalArgumentException("failed to build synonyms for [" + name + "]", e);
        }
    }

    /** Solr-format parser that, when lenient, drops rules whose terms analyse to nothing or fail to analyse. */
    private static final class LenientSolr extends SolrSynonymParser {
        private final boolean lenient;

        LenientSolr(boolean expand, boolean lenient, Analyzer analyzer) {
            super(true, expand, analyzer);
            this.lenient = lenient;
        }

        @Override
        public CharsRef analyze(String text, CharsRefBuilder reuse) throws IOException {
            return lenientAnalyze(lenient, () -> super.analyze(text, reuse));
        }

        @Override
        public void add(CharsRef input, CharsRef output, boolean includeOrig) {
            if (lenient == false || (input.length > 0 && output.length > 0)) {
                super.add(input, output, includeOrig);
            }
        }
    }

    /** WordNet-format counterpart of {@link LenientSolr}. */
    private static final class LenientWordnet extends WordnetSynonymParser {
        private final boolean lenient;

        LenientWordnet(boolean expand, boolean lenient, Analyzer analyzer) {
            super(true, expand, analyzer);
            this.lenient = lenient;
        }

        @Override
        public CharsRef analyze(String text, CharsRefBuilder reuse) throws IOException {
            return lenientAnalyze(lenient, () -> super.analyze(text, reuse));
        }

        @Override
        public void add(CharsRef input, CharsRef output, boolean includeOrig) {
            if (lenient == false || (input.length > 0 && output.length > 0)) {
                super.add(input, output, includeOrig);
            }
        }
    }

    private interface IOSupplier {
        CharsRef get() throws IOException;
    }

    private static CharsRef lenientAnalyze(boolean lenient, IOSupplier analyze) throws IOException {
        try {
            return analyze.get();
        } catch (IllegalArgumentException e) {
            if (lenient) {
                return new CharsRef("");
            }
            throw e;
        }
    }
}
