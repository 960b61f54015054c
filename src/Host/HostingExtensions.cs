using Grocery.Workflows.Api.Sagas;
using Grocery.Workflows.Consumers;
using Grocery.Workflows.Persistence;
using Grocery.Workflows.Sagas;
using MassTransit;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Grocery.Workflows.Host;

public static class HostingExtensions
{
    public static WebApplicationBuilder AddGroceryWorkflows(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;

        services.AddSingleton(TimeProvider.System);
        services.AddSagaSettings<OrderSagaSettings>("Sagas:Order");
        services.AddSagaSettings<SlotReservationSettings>("Sagas:SlotReservation");
        services.AddSagaSettings<PickingSettings>("Sagas:Picking");
        services.AddSagaSettings<SubstitutionSettings>("Sagas:Substitution");
        services.AddSagaSettings<DeliverySettings>("Sagas:Delivery");

        // Before the bus: migrations run and the timeline observer is connected before any message is consumed.
        services.AddWorkflowPersistence(builder.Configuration);

        services.AddMassTransit(x =>
        {
            x.SetKebabCaseEndpointNameFormatter();
            x.AddDelayedMessageScheduler();
            x.UseDurableSagas();
            x.AddGrocerySagas();
            x.AddStockAndSlotConsumers();
            x.UsingInMemory((context, cfg) =>
            {
                cfg.UseDelayedMessageScheduler();
                cfg.UseTransactionalOutbox(context);
                cfg.ConfigureEndpoints(context);
            });
        });

        services.AddProblemDetails();
        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database", tags: ["ready"]);
        return builder;
    }

    public static WebApplication MapGroceryWorkflows(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseExceptionHandler();
        app.UseStatusCodePages();

        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") });
        app.MapSagaEndpoints();
        return app;
    }

    /// <summary>Binds a settings class, validates it on start, and makes the validated instance a service.</summary>
    private static void AddSagaSettings<T>(this IServiceCollection services, string section)
        where T : class
    {
        services.AddOptions<T>().BindConfiguration(section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<T>>().Value);
    }
}
