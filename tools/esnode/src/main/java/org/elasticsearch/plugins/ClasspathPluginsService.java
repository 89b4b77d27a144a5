package org.elasticsearch.plugins;

import org.elasticsearch.Build;
import org.elasticsearch.action.admin.cluster.node.info.PluginsAndModules;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.jdk.ModuleQualifiedExportsService;
import org.elasticsearch.plugins.spi.SPIClassIterator;

import java.lang.reflect.Constructor;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Plugins service that only knows the plugin classes it is given (all loaded by the
 * application class loader). Whatever lies in the modules/plugins directories is ignored.
 */
public class ClasspathPluginsService extends PluginsService {

    private final List<LoadedPlugin> loaded;

    public ClasspathPluginsService(Settings settings, Environment environment, List<Class<? extends Plugin>> pluginClasses) {
        super(settings, environment.configFile(), environment.modulesFile(), environment.pluginsFile());
        List<LoadedPlugin> list = new ArrayList<>();
        for (Class<? extends Plugin> cls : pluginClasses) {
            Plugin instance = loadPlugin(cls, settings, environment.configFile());
            PluginDescriptor descriptor = new PluginDescriptor(
                cls.getName(),
                "classpath plugin (dhr esnode)",
                "NA",
                Build.current().version(),
                Integer.toString(Runtime.version().feature()),
                cls.getName(),
                null,
                List.of(),
                false,
                false,
                false,
                false
            );
            list.add(new LoadedPlugin(descriptor, instance, cls.getClassLoader(), ModuleLayer.boot()));
        }
        loadExtensions(list);
        this.loaded = List.copyOf(list);
    }

    @Override
    protected List<LoadedPlugin> plugins() {
        return loaded;
    }

    @Override
    public PluginsAndModules info() {
        return new PluginsAndModules(loaded.stream().map(p -> new PluginRuntimeInfo(p.descriptor())).toList(), List.of());
    }

    /**
     * Every plugin shares one class loader here, so a naive SPI scan would hand each
     * provider to every plugin. Instantiate each provider class once, with the plugin
     * whose type its one-argument constructor (if any) asks for.
     */
    @Override
    public <T> List<? extends T> loadServiceProviders(Class<T> service) {
        Map<Class<?>, T> found = new LinkedHashMap<>();
        for (LoadedPlugin lp : loaded) {
            Plugin plugin = lp.instance();
            Iterator<Class<? extends T>> it = SPIClassIterator.get(service, plugin.getClass().getClassLoader());
            while (it.hasNext()) {
                Class<? extends T> impl = it.next();
                if (found.containsKey(impl)) {
                    continue;
                }
                boolean fits = true;
                for (Constructor<?> c : impl.getConstructors()) {
                    if (c.getParameterCount() == 1 && c.getParameterTypes()[0] != plugin.getClass()) {
                        fits = false;
                        break;
                    }
                }
                if (fits) {
                    found.put(impl, createExtension(impl, service, plugin));
                }
            }
        }
        return List.copyOf(found.values());
    }

    @Override
    protected void addServerExportsService(Map<String, List<ModuleQualifiedExportsService>> qualifiedExports) {
        // not running as JPMS modules: nothing to export
    }
}
