using System.Text.Json.Serialization;
using Grocery.Workflows.Api;
using Grocery.Workflows.Api.Audit;
using Grocery.Workflows.Api.Failures;
using Grocery.Workflows.Api.Features;
using Grocery.Workflows.Api.Jobs;
using Grocery.Workflows.Api.Limits;
using Grocery.Workflows.Api.Orders;
using Grocery.Workflows.Api.Payments;
using Grocery.Workflows.Api.Sagas;
using Grocery.Workflows.Api.Security;
using Grocery.Workflows.Api.Slots;
using Grocery.Workflows.Api.Stock;
using Grocery.Workflows.Api.Stores;
using Grocery.Workflows.Consumers;
using Grocery.Workflows.Consumers.Payments.Sandbox;
using Grocery.Workflows.Consumers.Slots;
using Grocery.Workflows.Consumers.Stock;
using Grocery.Workflows.Contracts.Slots;
using Grocery.Workflows.Contracts.Stock;
using Grocery.Workflows.Host.Scheduling;
using Grocery.Workflows.Host.Security;
using Grocery.Workflows.Host.Simulation;
using Grocery.Workflows.Api.Delivery;
using Grocery.Workflows.Consumers.Delivery;
using Grocery.Workflows.Consumers.Delivery.Grab;
using Grocery.Workflows.Consumers.Notifications;
using Grocery.Workflows.Sagas.Delivery;
using Grocery.Workflows.Host.Telemetry;
using Grocery.Workflows.Messaging;
using Grocery.Workflows.Messaging.Failures;
using Grocery.Workflows.OpsConsole;
using Grocery.Workflows.Persistence;
using Grocery.Workflows.Persistence.Sagas;
using Grocery.Workflows.Persistence.Slots.Redis;
using Grocery.Workflows.Sagas;
using Grocery.Workflows.Sagas.Orders;
using MassTransit;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Microsoft.FeatureManagement;
using Scalar.AspNetCore;

namespace Grocery.Workflows.Host;

public static partial class HostingExtensions
{
    /// <summary>The environment variable naming a JSON secrets file (rendered by the Vault agent in Kubernetes).</summary>
    public const string SecretsFileVariable = "GROCERY_SECRETS_FILE";

    public static WebApplicationBuilder AddGroceryWorkflows(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        // Secrets rendered by the Vault agent (or any file of the same shape as appsettings.json), read over every other
        // source and before any setting is read, so that every choice below sees them.
        if (builder.Configuration[SecretsFileVariable] is { Length: > 0 } secrets)
        {
            builder.Configuration.AddJsonFile(secrets, optional: false, reloadOnChange: true);
        }

        // The flags' defaults under every source: a configuration without the section keeps them.
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = GroceryFeatures.Defaults });
        var simulation = builder.Configuration.GetSection("Simulation").Get<SimulationSettings>() ?? new SimulationSettings();
        RefuseSimulatedWorldOutsideDevelopment(builder, simulation);
        RefuseAnyHostOutsideDevelopment(builder);
        var transport = builder.Configuration.GetSection("Transport").Get<TransportSettings>() ?? new TransportSettings();
        var role = (builder.Configuration.GetSection("Host").Get<HostSettings>() ?? new HostSettings()).Role;
        var slotStore = builder.Configuration.GetSection("Slots").Get<SlotStoreSettings>()?.Store ?? SlotStoreKind.Database;
        if (role == HostRole.Api && (transport.Kind != TransportKind.RabbitMq || builder.Configuration["Persistence:Provider"] != "PostgreSql"))
        {
            throw new InvalidOperationException("Host:Role Api consumes no message: it needs Transport:Kind RabbitMq and Persistence:Provider PostgreSql, shared with instances of Host:Role All.");
        }

        services.AddGroceryRateLimits();
        builder.AddGroceryTelemetry(redis: slotStore == SlotStoreKind.Redis && role == HostRole.All);
        services.AddFeatureManagement();
        services.AddSingleton<StartupHealthCheck>();
        services.AddOptions<TransportSettings>().BindConfiguration("Transport").ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<SlotStoreSettings>().BindConfiguration("Slots").ValidateDataAnnotations().ValidateOnStart();

        services.AddSingleton(TimeProvider.System);
        services.AddSagaSettings();
        services.AddOptions<SimulationSettings>().BindConfiguration("Simulation").ValidateDataAnnotations().ValidateOnStart();
        if (simulation.Enabled)
        {
            services.PostConfigure<OrderSagaSettings>(o => o.StartPickingImmediately |= simulation.StartPickingImmediately);
            services.PostConfigure<DeliverySettings>(o => o.DispatchImmediately |= simulation.StartPickingImmediately);
        }

        // Who delivers: Grab, unless the simulator runs and nothing else is asked for.
        var couriersSimulated = string.IsNullOrEmpty(builder.Configuration["Couriers:Provider"])
            ? simulation.Enabled
            : builder.Configuration["Couriers:Provider"] == CourierSettings.Simulator;
        if (couriersSimulated && !simulation.Enabled)
        {
            throw new InvalidOperationException("Couriers:Provider is simulator, but the simulator is off (Simulation:Enabled): nobody would deliver. Set Couriers:Provider=grab.");
        }

        services.PostConfigure<CourierSettings>(c => c.Provider ??= couriersSimulated ? CourierSettings.Simulator : GrabExpressGateway.ProviderName);
        services.AddCouriers(builder.Configuration, gateway => new MeteredCourierGateway(gateway));
        services.AddNotifications();

        // Before the bus: migrations and the seed run, and the timeline observer is connected, before any message is consumed.
        services.AddWorkflowPersistence(builder.Configuration);
        // After the persistence: data protection (the console's cookies, authentication) reads its key ring, a table,
        // when its hosted service starts, which must come after the migrator that creates the table. The console before
        // the authentication: its registration takes routing's content-type check out, which Razor Pages would add.
        services.AddOpsConsole(builder.Configuration, secureCookies: !builder.Environment.IsDevelopment());
        builder.AddGroceryAuthentication();
        services.AddWorkflowMessaging<WorkflowDbContext>();
        services.AddPayments(builder.Configuration, gateway => new MeteredPaymentGateway(gateway));
        // API pods hold no slot: they neither need Redis nor may rebuild its counters on start.
        if (slotStore == SlotStoreKind.Redis && role == HostRole.All)
        {
            var redis = builder.Configuration.GetConnectionString("Redis");
            if (string.IsNullOrWhiteSpace(redis))
            {
                throw new InvalidOperationException("Slots:Store is Redis but ConnectionStrings:Redis is empty.");
            }

            services.AddRedisSlotStore(redis);
        }

        services.AddMassTransit(x =>
        {
            // MassTransit 8.5 would otherwise post a usage report (the bus's endpoints and consumers) to
            // usage-tracking.masstransit.io: the engine calls no one it was not configured to call.
            x.DisableUsageTelemetry();
            x.SetKebabCaseEndpointNameFormatter();
            x.AddDelayedMessageScheduler();
            x.AddConfigureEndpointsCallback((context, _, endpoint) => endpoint.RecordFailures(context));
            x.UseDurableSagas();
            if (role == HostRole.All)
            {
                x.AddGrocerySagas();
                x.AddStockAndSlotConsumers();
                // Short steps: applied in the transaction of the transition that asks for them.
                x.ApplyShortSteps();
                x.AddPaymentConsumers();
                x.AddCourierConsumers(couriersSimulated);
                x.AddNotificationConsumers();
            }

            if (simulation.Enabled && role == HostRole.All)
            {
                // The same endpoint policy as the real activities: a copy of a message consumed on two instances at
                // once loses the race on the inbox key, and its retry finds the message consumed.
                x.AddConsumer<SimulatedPicker, GroceryConsumerDefinition<SimulatedPicker>>();
                x.AddConsumer<SimulatedCustomer, GroceryConsumerDefinition<SimulatedCustomer>>();
                if (couriersSimulated)
                {
                    x.AddConsumer<SimulatedCourier, GroceryConsumerDefinition<SimulatedCourier>>();
                }
            }

            // Saga deadlines and simulated delays become outbox rows with a due time, and unscheduling one deletes its
            // row (the transport never sees a delay), so RabbitMQ needs no delayed-exchange plugin.
            if (transport.Kind == TransportKind.RabbitMq)
            {
                var rabbit = builder.Configuration.GetConnectionString("RabbitMq");
                if (string.IsNullOrWhiteSpace(rabbit))
                {
                    throw new InvalidOperationException("Transport:Kind is RabbitMq but ConnectionStrings:RabbitMq is empty.");
                }

                x.AddConfigureEndpointsCallback((_, _, endpoint) =>
                {
                    if (endpoint is IRabbitMqReceiveEndpointConfigurator queue)
                    {
                        queue.SetQuorumQueue();
                    }
                });
                x.UsingRabbitMq((context, cfg) =>
                {
                    cfg.Host(new Uri(rabbit));
                    cfg.PrefetchCount = transport.PrefetchCount;
                    cfg.UseOutboxMessageScheduler();
                    cfg.UseTransientFailureRetry();
                    cfg.UseTransactionalOutbox(context);
                    cfg.ConfigureEndpoints(context);
                });
            }
            else
            {
                x.UsingInMemory((context, cfg) =>
                {
                    cfg.UseOutboxMessageScheduler();
                    cfg.UseTransientFailureRetry();
                    cfg.UseTransactionalOutbox(context);
                    cfg.ConfigureEndpoints(context);
                });
            }
        });

        if (role == HostRole.Api)
        {
            // The machines only, for the ops views (GET /api/sagas/{type}/graph); no saga consumes here.
            foreach (var saga in SagaCatalog.All)
            {
                services.TryAddSingleton(saga.MachineType);
            }
        }

        services.AddOutboxDispatcher();
        services.AddGroceryJobs(builder.Configuration, runScheduler: role == HostRole.All);
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        services.AddProblemDetails(o => o.CustomizeProblemDetails = ClientMistakes.Describe);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = RequestLimits.DefaultBody;
            kestrel.Limits.MaxRequestLineSize = RequestLimits.ServerRequestLine;
            kestrel.Limits.MaxRequestHeadersTotalSize = RequestLimits.ServerHeaders;
        });
        services.AddOptions<SlotListingSettings>().BindConfiguration("Slots").ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<SlotListing>();
        services.AddOpenApi();
        services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database", tags: ["ready", "startup"])
            .AddCheck<StartupHealthCheck>("started", tags: ["startup"]);
        return builder;
    }

    public static WebApplication MapGroceryWorkflows(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var simulation = app.Services.GetRequiredService<IOptions<SimulationSettings>>().Value;
        // An API pod books no courier: only an engine that does warns of having nobody to book.
        var role = (app.Configuration.GetSection("Host").Get<HostSettings>() ?? new HostSettings()).Role;
        var couriers = app.Services.GetRequiredService<CourierGateways>();
        if (role == HostRole.All && couriers.Primary is null && !app.Services.GetRequiredService<IOptions<CourierSettings>>().Value.Simulated)
        {
            LogNoCourierProvider(app.Logger, app.Services.GetRequiredService<IOptions<CourierSettings>>().Value.Provider);
        }

        if (simulation.Enabled)
        {
            LogSimulation(app.Logger, simulation.ShortageRate, simulation.StepDelay);
            // Every answer says the world behind it is simulated.
            app.Use((context, next) =>
            {
                context.Response.Headers["X-Grocery-Simulated"] = "true";
                return next(context);
            });
        }

        // Outside the exception handler: a request that throws is measured with the 500 it answers.
        app.UseGroceryHttpMetrics();
        app.UseExceptionHandler(ClientMistakes.ExceptionHandlerOptions);
        app.UseStatusCodePages();
        app.UseRequestLimits();
        app.UseAuthentication();
        app.UseAuthorization();
        // Both after authorization: an unauthenticated caller gets its 401 first, and limits count per token subject.
        app.UseStateChangingRequestRules();
        app.UseRateLimiter();

        // Probes are open: they say whether the instance runs, nothing about orders.
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
        // Ready means every dependency answers: a degraded bus (RabbitMQ reconnecting) takes the instance out too.
        app.MapHealthChecks("/health/ready", Strict("ready")).AllowAnonymous();
        // Started: migrations applied, seed done, every hosted service (the bus among them) started.
        app.MapHealthChecks("/health/startup", Strict("startup")).AllowAnonymous();
        // The API's description is open to anyone in Development, to operators elsewhere.
        var reference = new[] { app.MapOpenApi(), app.MapScalarApiReference() };
        foreach (var endpoint in reference)
        {
            if (app.Environment.IsDevelopment())
            {
                endpoint.AllowAnonymous();
            }
            else
            {
                endpoint.RequireAuthorization(GroceryPolicies.Ops);
            }
        }

        app.MapStoreEndpoints();
        app.MapSlotEndpoints();
        app.MapOrderEndpoints();
        app.MapSagaEndpoints();
        app.MapFailureEndpoints();
        app.MapJobEndpoints();
        app.MapStockCountEndpoints();
        app.MapWebhookEndpoints();
        app.MapCourierEndpoints();
        app.MapFeatureEndpoints();
        app.MapAuditEndpoints();
        app.MapOpsConsole();
        return app;
    }

    /// <summary>
    /// The simulator and the sandbox stand in for the real world: on in Development, and anywhere else only when asked
    /// for twice, so that a production instance never answers for pickers or takes orders it cannot charge for.
    /// </summary>
    private static void RefuseSimulatedWorldOutsideDevelopment(WebApplicationBuilder builder, SimulationSettings simulation)
    {
        if (builder.Environment.IsDevelopment())
        {
            return;
        }

        var environment = builder.Environment.EnvironmentName;
        if (simulation.Enabled && !simulation.AllowInProduction)
        {
            throw new InvalidOperationException(
                $"Simulation:Enabled is true in the {environment} environment: simulated pickers, customers and couriers would stand in for real ones. " +
                "Turn it off, or set Simulation:AllowInProduction=true as well to run it here on purpose.");
        }

        SandboxProvider.RefuseUnlessAllowed(builder.Configuration, environment);
    }

    private static HealthCheckOptions Strict(string tag) => new()
    {
        Predicate = check => check.Tags.Contains(tag),
        ResultStatusCodes =
        {
            [HealthStatus.Healthy] = StatusCodes.Status200OK,
            [HealthStatus.Degraded] = StatusCodes.Status503ServiceUnavailable,
            [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
        },
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "No courier provider is configured (Couriers:Provider is {Provider}, and Grab:ClientId is empty): every booking is refused and goes to the store's fleet (Couriers:Fallback), or delivery fails and the order refunds.")]
    private static partial void LogNoCourierProvider(ILogger logger, string? provider);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SIMULATION MODE: pickers, customers and couriers are simulated (shortage rate {ShortageRate}, step {StepDelay}); payments use the sandbox. Set Simulation__Enabled=false in production.")]
    private static partial void LogSimulation(ILogger logger, double shortageRate, TimeSpan stepDelay);
}
