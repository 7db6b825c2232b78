# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Audit d'équité et de couverture
#
# Trois questions, pour une configuration donnée :
#
# 1. **Couverture** : quels postes n'ont pas assez de candidats au-dessus du seuil, quels
#    ingénieurs ne figurent sur aucune liste ?
# 2. **Exposition** : les listes se concentrent-elles sur quelques ingénieurs ?
# 3. **Équité** : les femmes et les hommes, les tranches d'âge, sont-ils retenus dans les
#    mêmes proportions (taux de sélection : part des ingénieurs ouverts à la mobilité
#    présents sur au moins une liste) et aussi bien classés (meilleur rang moyen) ?
#    Chaque groupe est comparé au groupe le mieux traité ; sous 0,8 (règle des quatre
#    cinquièmes), le groupe est signalé. Un signalement appelle un examen, il ne prouve rien
#    à lui seul ; une absence de signalement ne prouve pas l'absence de biais.
#
# Le genre et l'année de naissance ne servent qu'à cet audit agrégé : le moteur ne les lit
# jamais pour calculer un score (un test le vérifie).

# %%
import datetime as dt

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

import atelier
from matching import Config, coverage, exposure, fairness_audit

config = atelier.base_config()
# pour auditer la configuration réglée du carnet 02, si elle a été enregistrée :
tuned_path = atelier.out_dir() / "configuration_reglee.toml"
configs = {"défaut": config}
if tuned_path.exists():
    configs["réglée"] = Config.from_toml(tuned_path)
batch = atelier.load_batch(config)
# the monitoring columns (gender, birth year) are never stored in a batch: read from the file
profiles, positions = atelier.read_profiles(), batch.prepared.positions
shortlists = {name: batch.rerank(cfg).shortlists for name, cfg in configs.items()}
print(", ".join(f"{name} : {len(sl)} lignes" for name, sl in shortlists.items()))

# %% [markdown]
# ## 1. Couverture

# %%
k = config.ranking.top_k
table = pd.DataFrame(
    {name: coverage(sl, k=k, positions=positions["position_id"], profiles=profiles["profile_id"]) for name, sl in shortlists.items()}
)
table

# %%
sl = shortlists["défaut"]
per_pos = sl.groupby("position_id").size().reindex(positions["position_id"], fill_value=0)
by_ministry = pd.DataFrame({"ministère": positions["ministry"].to_numpy(), "candidats": per_pos.to_numpy()})
summary = by_ministry.groupby("ministère")["candidats"].agg(
    postes="size", sans_candidat=lambda s: int((s == 0).sum()), moins_de_k=lambda s: int((s < k).sum())
)
fig, axes = plt.subplots(1, 2, figsize=(13, 4.5))
axes[0].hist(per_pos, bins=range(0, k + 2), color="#6a8caf", align="left", rwidth=0.9)
axes[0].set_xlabel("candidats au-dessus du seuil")
axes[0].set_ylabel("postes")
axes[0].set_title(f"Candidats par poste (liste de {k} au plus)")
summary[["sans_candidat", "moins_de_k"]].sort_values("moins_de_k").plot.barh(ax=axes[1], color=["crimson", "orange"])
axes[1].set_title("Postes mal couverts, par ministère")
plt.tight_layout()
plt.show()
summary.sort_values("sans_candidat", ascending=False)

# %% [markdown]
# ## 2. Exposition
# Courbe de Lorenz : part cumulée des lignes de listes tenue par la part cumulée des
# ingénieurs (du moins exposé au plus exposé). La diagonale serait une exposition égale.

# %%
fig, ax = plt.subplots(figsize=(5.5, 5))
rows = {}
for name, sl in shortlists.items():
    s, counts = exposure(sl, profiles=profiles["profile_id"])
    rows[name] = s
    x = np.sort(counts.to_numpy())
    cum = np.concatenate([[0], np.cumsum(x)]) / max(x.sum(), 1)
    ax.plot(np.linspace(0, 1, len(cum)), cum, label=f"{name} (Gini {s['gini']:.2f})")
ax.plot([0, 1], [0, 1], color="grey", linestyle="--")
ax.set_xlabel("part cumulée des ingénieurs")
ax.set_ylabel("part cumulée des lignes")
ax.legend()
plt.show()
pd.DataFrame(rows).round(3)

# %% [markdown]
# ## 3. Équité par genre et par tranche d'âge
# Âge calculé pour l'année en cours. Les groupes de moins de 5 ingénieurs éligibles et les
# valeurs non renseignées sont montrés mais pas comparés.

# %%
audits = {name: fairness_audit(profiles, sl, reference_year=dt.date.today().year) for name, sl in shortlists.items()}
for name, audit in audits.items():
    print(f"— configuration {name}")
    for line in audit.summary():
        print("  " + line)
audits["défaut"].table.round(3)

# %%
attributes = [a for a in ("gender", "age_band") if (audits["défaut"].table["attribute"] == a).any()]
fig, axes = plt.subplots(1, max(1, len(attributes)), figsize=(6 * max(1, len(attributes)), 4), squeeze=False)
for ax, attr in zip(axes[0], attributes):
    data = pd.DataFrame(
        {name: a.table[a.table["attribute"] == attr].set_index("group")["rate_ratio"] for name, a in audits.items()}
    )
    data.plot.bar(ax=ax, rot=0)
    ax.axhline(0.8, color="crimson", linestyle="--", label="seuil 0,8")
    ax.set_ylim(0, 1.15)
    ax.set_ylabel("taux de sélection / meilleur groupe")
    ax.set_title({"gender": "Genre", "age_band": "Tranche d'âge"}[attr])
    ax.legend()
plt.tight_layout()
plt.show()

# %% [markdown]
# ## À retenir
# - Un poste sans candidat peut venir des règles (corps, habilitation, disponibilité) ou d'un
#   texte de poste trop pauvre : l'explication d'un couple (carnet 01) dit lequel.
# - Une exposition très concentrée (Gini élevé) peut justifier un plafond de listes par
#   ingénieur (`ranking.max_shortlists_per_profile`).
# - Un groupe signalé se discute avec les conseillers : il peut refléter le vivier (qui est
#   candidat, avec quelles compétences) plutôt que la configuration ; comparer les deux
#   configurations aide à voir ce que les poids y ajoutent.
