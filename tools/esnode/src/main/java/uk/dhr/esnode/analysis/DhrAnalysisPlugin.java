package uk.dhr.esnode.analysis;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.charfilter.HTMLStripCharFilter;
import org.apache.lucene.analysis.core.KeywordTokenizer;
import org.apache.lucene.analysis.core.WhitespaceTokenizer;
import org.apache.lucene.analysis.el.GreekLowerCaseFilter;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.en.EnglishMinimalStemFilter;
import org.apache.lucene.analysis.en.EnglishPossessiveFilter;
import org.apache.lucene.analysis.en.KStemFilter;
import org.apache.lucene.analysis.en.PorterStemFilter;
import org.apache.lucene.analysis.ga.IrishLowerCaseFilter;
import org.apache.lucene.analysis.miscellaneous.ASCIIFoldingFilter;
import org.apache.lucene.analysis.snowball.SnowballFilter;
import org.apache.lucene.analysis.tr.TurkishLowerCaseFilter;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.index.analysis.AbstractIndexAnalyzerProvider;
import org.elasticsearch.index.analysis.AnalyzerProvider;
import org.elasticsearch.index.analysis.Analysis;
import org.elasticsearch.index.analysis.CharFilterFactory;
import org.elasticsearch.index.analysis.NormalizingTokenFilterFactory;
import org.elasticsearch.index.analysis.PreBuiltAnalyzerProviderFactory;
import org.elasticsearch.index.analysis.PreConfiguredTokenFilter;
import org.elasticsearch.index.analysis.TokenFilterFactory;
import org.elasticsearch.index.analysis.TokenizerFactory;
import org.elasticsearch.indices.analysis.AnalysisModule.AnalysisProvider;
import org.elasticsearch.indices.analysis.PreBuiltCacheFactory.CachingStrategy;
import org.elasticsearch.plugins.AnalysisPlugin;
import org.elasticsearch.plugins.Plugin;
import org.tartarus.snowball.ext.EnglishStemmer;

import java.io.Reader;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Stand-in for the parts of Elasticsearch's {@code analysis-common} module that the DHR
 * index settings use. That module is not published to Maven Central, so the embedded test
 * node registers the same components, under the same names and with the same parameters,
 * built from the Lucene classes that ship with the server. Index settings written for a
 * production cluster (which has the real module) therefore work unchanged here.
 *
 * <p>Names the server already registers ({@code standard} tokenizer, {@code stop} filter,
 * pre-configured {@code lowercase}, {@code standard}/{@code simple}/{@code whitespace}/
 * {@code stop}/{@code keyword} analyzers) are deliberately not registered again: duplicates
 * make the node fail at start-up.
 */
public class DhrAnalysisPlugin extends Plugin implements AnalysisPlugin {

    @Override
    public Map<String, AnalysisProvider<TokenFilterFactory>> getTokenFilters() {
        Map<String, AnalysisProvider<TokenFilterFactory>> m = new TreeMap<>();
        m.put("lowercase", (is, env, name, s) -> lowercase(name, s.get("language")));
        m.put("asciifolding", (is, env, name, s) -> asciiFolding(name, s.getAsBoolean("preserve_original", false)));
        m.put("stemmer", (is, env, name, s) -> stemmer(name, s.get("language", s.get("name", "porter"))));
        m.put("porter_stem", (is, env, name, s) -> simple(name, PorterStemFilter::new));
        m.put("kstem", (is, env, name, s) -> simple(name, KStemFilter::new));
        m.put("synonym", AnalysisPlugin.requiresAnalysisSettings((is, env, name, s) -> new SynonymFilterFactory(env, name, s, false)));
        m.put("synonym_graph", AnalysisPlugin.requiresAnalysisSettings((is, env, name, s) -> new SynonymFilterFactory(env, name, s, true)));
        return m;
    }

    @Override
    public List<PreConfiguredTokenFilter> getPreConfiguredTokenFilters() {
        // "lowercase" is pre-configured by the server itself.
        return List.of(
            PreConfiguredTokenFilter.singleton("asciifolding", true, ASCIIFoldingFilter::new),
            PreConfiguredTokenFilter.singleton("porter_stem", false, PorterStemFilter::new),
            PreConfiguredTokenFilter.singleton("kstem", false, KStemFilter::new),
            PreConfiguredTokenFilter.singleton("stemmer", false, PorterStemFilter::new)
        );
    }

    @Override
    public Map<String, AnalysisProvider<TokenizerFactory>> getTokenizers() {
        return Map.of(
            "keyword", (is, env, name, s) -> {
                int bufferSize = s.getAsInt("buffer_size", KeywordTokenizer.DEFAULT_BUFFER_SIZE);
                return TokenizerFactory.newFactory(name, () -> new KeywordTokenizer(bufferSize));
            },
            "whitespace", (is, env, name, s) -> TokenizerFactory.newFactory(name, WhitespaceTokenizer::new)
        );
    }

    @Override
    public Map<String, AnalysisProvider<CharFilterFactory>> getCharFilters() {
        return Map.of("html_strip", (is, env, name, s) -> {
            List<String> tags = s.getAsList("escaped_tags");
            Set<String> escaped = tags.isEmpty() ? null : new HashSet<>(tags);
            return new CharFilterFactory() {
                @Override
                public String name() {
                    return name;
                }

                @Override
                public Reader create(Reader reader) {
                    return new HTMLStripCharFilter(reader, escaped);
                }
            };
        });
    }

    @Override
    public Map<String, AnalysisProvider<AnalyzerProvider<? extends Analyzer>>> getAnalyzers() {
        return Map.of("english", (is, env, name, s) -> {
            CharArraySet stop = Analysis.parseStopWords(env, s, EnglishAnalyzer.getDefaultStopSet());
            CharArraySet exclusion = Analysis.parseStemExclusion(s, CharArraySet.EMPTY_SET);
            EnglishAnalyzer analyzer = new EnglishAnalyzer(stop, exclusion);
            return new AbstractIndexAnalyzerProvider<EnglishAnalyzer>(name, s) {
                @Override
                public EnglishAnalyzer get() {
                    return analyzer;
                }
            };
        });
    }

    @Override
    public List<PreBuiltAnalyzerProviderFactory> getPreBuiltAnalyzerProviderFactories() {
        return List.of(new PreBuiltAnalyzerProviderFactory("english", CachingStrategy.ONE, EnglishAnalyzer::new));
    }

    // ---------------------------------------------------------------- factories

    private static TokenFilterFactory simple(String name, Function<TokenStream, TokenStream> f) {
        return new TokenFilterFactory() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public TokenStream create(TokenStream ts) {
                return f.apply(ts);
            }
        };
    }

    private static TokenFilterFactory lowercase(String name, String language) {
        final Function<TokenStream, TokenStream> f;
        if (language == null) {
            f = LowerCaseFilter::new;
        } else {
            switch (language.toLowerCase(Locale.ROOT)) {
                case "greek" -> f = GreekLowerCaseFilter::new;
                case "irish" -> f = IrishLowerCaseFilter::new;
                case "turkish" -> f = TurkishLowerCaseFilter::new;
                default -> throw new IllegalArgumentException("language [" + language + "] not support for lower case");
            }
        }
        return new NormalizingTokenFilterFactory() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public TokenStream create(TokenStream ts) {
                return f.apply(ts);
            }
        };
    }

    private static TokenFilterFactory asciiFolding(String name, boolean preserveOriginal) {
        return new NormalizingTokenFilterFactory() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public TokenStream create(TokenStream ts) {
                return new ASCIIFoldingFilter(ts, preserveOriginal);
            }

            @Override
            public TokenStream normalize(TokenStream ts) {
                // a normalizer must emit exactly one token per input token
                return new ASCIIFoldingFilter(ts, false);
            }
        };
    }

    /** The English-family languages of Elasticsearch's {@code stemmer} filter, mapped to the same Lucene classes. */
    static TokenFilterFactory stemmer(String name, String language) {
        final Function<TokenStream, TokenStream> f;
        switch (language.toLowerCase(Locale.ROOT)) {
            case "english", "porter" -> f = PorterStemFilter::new;
            case "light_english", "lightenglish", "kstem" -> f = KStemFilter::new;
            case "minimal_english", "minimalenglish" -> f = EnglishMinimalStemFilter::new;
            case "possessive_english", "possessiveenglish" -> f = EnglishPossessiveFilter::new;
            case "porter2" -> f = ts -> new SnowballFilter(ts, new EnglishStemmer());
            default -> throw new IllegalArgumentException(
                "stemmer language [" + language + "] is not provided by the embedded test node (dhr esnode); "
                    + "supported: english, porter, light_english, kstem, minimal_english, possessive_english, porter2"
            );
        }
        return simple(name, f);
    }
}
